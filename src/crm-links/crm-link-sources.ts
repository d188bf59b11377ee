import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { MANIFESTS } from '../connectors';
import { CRM_LINK_SOURCES, CrmLinkSource } from '../connectors/shared/link-source';

export const LINK_SOURCE_CLASSES = MANIFESTS.flatMap((m) =>
  'linkSource' in m && m.linkSource ? [m.linkSource] : [],
);

@Injectable()
export class CrmLinkSources {
  private readonly byType: ReadonlyMap<string, CrmLinkSource>;

  constructor(@Inject(CRM_LINK_SOURCES) sources: CrmLinkSource[]) {
    this.byType = new Map(sources.map((s) => [s.type, s]));
  }

  find(type: string): CrmLinkSource | undefined {
    return this.byType.get(type);
  }

  get(type: string): CrmLinkSource {
    const source = this.byType.get(type);
    if (!source) throw new NotFoundException(`type: ${type} has no payment-link trigger`);
    return source;
  }
}
