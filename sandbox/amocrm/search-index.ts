import type { AmoLead } from './amocrm-types';

// amoCRM's `query` search reads a full-text index refreshed after writes: a lead created or
// changed a moment ago can be missing from (or stale in) results while GET by id has it already.
export class SearchIndex {
  lagMs = 0;
  private versions = new Map<number, Array<{ lead: AmoLead; at: number }>>();

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.lagMs = 0;
    this.versions.clear();
  }

  written(lead: AmoLead, previous?: AmoLead): void {
    if (this.lagMs <= 0 && !this.versions.has(lead.id)) return;
    const list =
      this.versions.get(lead.id) ?? (previous ? [{ lead: structuredClone(previous), at: 0 }] : []);
    list.push({ lead: structuredClone(lead), at: this.now() + Math.max(0, this.lagMs) });
    this.versions.set(lead.id, list);
  }

  /** The lead as search sees it now; undefined while it is not indexed yet. */
  view(lead: AmoLead): AmoLead | undefined {
    const list = this.versions.get(lead.id);
    if (!list) return lead;
    const now = this.now();
    const visible = list.filter((v) => v.at <= now);
    if (visible.length === list.length) {
      this.versions.delete(lead.id);
      return lead;
    }
    return visible.at(-1)?.lead;
  }
}
