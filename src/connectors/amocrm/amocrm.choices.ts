import type { MappingChoices } from '../crm-connector';
import { asConnectorError } from './amocrm.batch';
import type { AmocrmClient } from './amocrm.client';
import { leadCustomFields } from './amocrm.lookup';
import type { AmoList, AmoPipeline } from './amocrm.types';

/** Open pipelines with the statuses a lead can be moved to (not "unsorted"), and lead fields. */
export async function amocrmChoices(client: AmocrmClient): Promise<MappingChoices> {
  try {
    const list = await client.get<AmoList<'pipelines', AmoPipeline>>('/api/v4/leads/pipelines');
    const fields = await leadCustomFields(client);
    return {
      pipelines: (list?._embedded?.pipelines ?? [])
        .filter((p) => !p.is_archive)
        .map((p) => ({
          id: String(p.id),
          name: p.name,
          stages: (p._embedded?.statuses ?? [])
            .filter((s) => s.type === 0)
            .map((s) => ({ id: String(s.id), name: s.name })),
        })),
      fields: fields.map((f) => ({ id: String(f.id), name: f.name, type: f.type })),
    };
  } catch (err) {
    throw asConnectorError(err);
  }
}
