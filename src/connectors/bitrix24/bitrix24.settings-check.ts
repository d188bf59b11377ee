import type { StageCatalog } from './bitrix24.catalog';
import type { Bitrix24Settings } from './bitrix24.settings';
import { linkTriggerProblems } from './bitrix24.trigger';

export function settingsProblems(
  settings: Bitrix24Settings,
  fields: Record<string, unknown>,
  catalog: StageCatalog,
): string[] {
  const problems: string[] = [];
  const known = (name: string) => Object.prototype.hasOwnProperty.call(fields ?? {}, name);
  if (settings.orderIdField && !known(settings.orderIdField)) {
    problems.push(
      `settings.orderIdField: ${settings.orderIdField} is not a deal field on this portal`,
    );
  }
  for (const [key, name] of Object.entries(settings.fields ?? {})) {
    if (typeof name === 'string' && !known(name)) {
      problems.push(`settings.fields.${key}: ${name} is not a deal field on this portal`);
    }
  }
  for (const [status, stage] of Object.entries(settings.stages ?? {})) {
    if (typeof stage === 'string' && !catalog.knows(stage)) {
      problems.push(
        `settings.stages.${status}: unknown stage "${stage}" (this portal has ${catalog.allStages().join(', ')})`,
      );
    }
  }
  const categoryId = settings.newDeal?.categoryId ?? 0;
  if (!catalog.pipelines.has(categoryId)) {
    const list = [...catalog.pipelines.values()].map((p) => `${p.id} ${p.name}`).join(', ');
    problems.push(`settings.newDeal.categoryId: no pipeline ${categoryId} (pipelines: ${list})`);
  } else if (settings.newDeal?.stageId && !catalog.resolve(settings.newDeal.stageId, categoryId)) {
    problems.push(
      `settings.newDeal.stageId: unknown stage "${settings.newDeal.stageId}" in pipeline ${categoryId} (${catalog.pipelines.get(categoryId)!.stages.join(', ')})`,
    );
  }
  problems.push(...linkTriggerProblems(settings.paymentLinkTrigger, fields ?? {}, catalog));
  return problems;
}
