import type { MappingChoices } from '../crm-connector';
import { StageCatalog } from './bitrix24.catalog';
import type { Bitrix24Client } from './bitrix24.client';

interface FieldMeta {
  type?: string;
  title?: string;
  listLabel?: string;
  formLabel?: string;
}

/** Pipelines with their stages (ids as settings spell them) and the UF_CRM_* deal fields. */
export async function bitrix24Choices(client: Bitrix24Client): Promise<MappingChoices> {
  const [fields, catalog] = await Promise.all([
    client.call<Record<string, FieldMeta>>('crm.deal.fields'),
    StageCatalog.load(client),
  ]);
  return {
    pipelines: [...catalog.pipelines.values()].map((p) => ({
      id: String(p.id),
      name: p.name,
      stages: p.stages.map((id) => ({ id, name: p.stageNames?.[id] ?? id })),
    })),
    fields: Object.entries(fields ?? {})
      .filter(([name]) => name.startsWith('UF_CRM_'))
      .map(([id, meta]) => ({
        id,
        name: meta.listLabel || meta.formLabel || meta.title || id,
        type: meta.type,
      })),
  };
}
