import type { Bitrix24Client } from './bitrix24.client';

export interface Pipeline {
  id: number;
  name: string;
  /** Stage ids in sort order, as the portal spells them (`NEW`, `C3:NEW`, `C3:UC_X1`). */
  stages: string[];
  won: string;
  /** Stage id → the name the portal shows. */
  stageNames?: Record<string, string>;
}

interface StatusRow {
  ENTITY_ID?: string;
  STATUS_ID?: string;
  NAME?: string;
  SORT?: string | number;
  SEMANTICS?: string | null;
  CATEGORY_ID?: string | number | null;
}

interface CategoryRow {
  id?: number | string;
  name?: string;
}

const FULL_STAGE = /^C(\d+):(.+)$/;

export class StageCatalog {
  constructor(readonly pipelines: ReadonlyMap<number, Pipeline>) {}

  static async load(client: Bitrix24Client): Promise<StageCatalog> {
    const categories = await client.listAll<CategoryRow>(
      'crm.category.list',
      { entityTypeId: 2 },
      (r) => (r as { categories?: CategoryRow[] } | undefined)?.categories ?? [],
    );
    const ids = new Set([0, ...categories.map((c) => Number(c.id))]);
    const entityIds = [...ids].map((id) => (id === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${id}`));
    const rows = await client.listAll<StatusRow>('crm.status.list', {
      filter: { '@ENTITY_ID': entityIds },
      order: { SORT: 'ASC' },
    });
    const pipelines = new Map<number, Pipeline>();
    for (const id of ids) {
      const name =
        categories.find((c) => Number(c.id) === id)?.name ?? (id === 0 ? 'General' : `#${id}`);
      const own = rows.filter(
        (r) => r.ENTITY_ID === (id === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${id}`),
      );
      const stages = own.map((r) => String(r.STATUS_ID));
      const won = own.find((r) => r.SEMANTICS === 'S')?.STATUS_ID ?? prefixed(id, 'WON');
      const stageNames: Record<string, string> = {};
      for (const r of own) stageNames[String(r.STATUS_ID)] = String(r.NAME ?? r.STATUS_ID);
      pipelines.set(id, { id, name, stages, won: String(won), stageNames });
    }
    return new StageCatalog(pipelines);
  }

  resolve(mapped: string, categoryId: number): string | null {
    const pipeline = this.pipelines.get(categoryId);
    if (!pipeline) return null;
    const full = FULL_STAGE.exec(mapped);
    const id = full
      ? Number(full[1]) === categoryId
        ? mapped
        : null
      : prefixed(categoryId, mapped);
    return id && pipeline.stages.includes(id) ? id : null;
  }

  wonStage(categoryId: number): string {
    return this.pipelines.get(categoryId)?.won ?? prefixed(categoryId, 'WON');
  }

  knows(mapped: string): boolean {
    return [...this.pipelines.keys()].some((id) => this.resolve(mapped, id) !== null);
  }

  allStages(): string[] {
    return [...this.pipelines.values()].flatMap((p) => p.stages);
  }
}

function prefixed(categoryId: number, stage: string): string {
  return categoryId === 0 ? stage : `C${categoryId}:${stage}`;
}
