import { AmocrmSettings, LOST_STATUS_ID, MAPPED_STATUSES, WON_STATUS_ID } from './amocrm.settings';
import type { AmoCustomField, AmoPipeline } from './amocrm.types';
import { linkTriggerProblems } from './amocrm.trigger';

const TEXT = ['text', 'textarea'];
const FIELD_TYPES: Record<string, string[]> = {
  orderIdField: [...TEXT, 'numeric'],
  'fields.paidAt': ['date_time', 'date'],
  'fields.providerReference': TEXT,
  'fields.paymentLink': ['url', ...TEXT],
};

export function settingsProblems(
  settings: AmocrmSettings,
  pipelines: AmoPipeline[],
  fields: AmoCustomField[],
): string[] {
  const problems: string[] = [];
  const pipelineProblem = (path: string, id: number): AmoPipeline | undefined => {
    const pipeline = pipelines.find((p) => p.id === id);
    if (!pipeline) problems.push(`${path}: no pipeline ${id} in the account`);
    else if (pipeline.is_archive) problems.push(`${path}: pipeline ${id} is archived`);
    return pipeline;
  };

  for (const status of MAPPED_STATUSES) {
    const target = settings.statuses?.[status];
    if (!target) continue;
    const path = `settings.statuses.${status}`;
    if (target.pipelineId === undefined) continue; // 142 or 143, in every pipeline
    const pipeline = pipelineProblem(`${path}.pipelineId`, target.pipelineId);
    if (!pipeline) continue;
    const found = pipeline._embedded?.statuses?.find((s) => s.id === target.statusId);
    const closing = target.statusId === WON_STATUS_ID || target.statusId === LOST_STATUS_ID;
    if (!found && !closing) {
      problems.push(
        `${path}.statusId: status ${target.statusId} is not in pipeline ${pipeline.id}`,
      );
    } else if (found && found.type !== 0) {
      problems.push(
        `${path}.statusId: status ${found.id} ("${found.name}") is the unsorted stage; leads cannot be moved there`,
      );
    }
  }
  if (settings.createLeads && settings.newLead?.pipelineId !== undefined) {
    pipelineProblem('settings.newLead.pipelineId', settings.newLead.pipelineId);
  }

  const mapped: Array<[string, number | undefined]> = [
    ['orderIdField', settings.orderIdField],
    ['fields.paidAt', settings.fields?.paidAt],
    ['fields.providerReference', settings.fields?.providerReference],
    ['fields.paymentLink', settings.fields?.paymentLink],
  ];
  for (const [key, id] of mapped) {
    if (id === undefined) continue;
    const field = fields.find((f) => f.id === id);
    if (!field) {
      problems.push(`settings.${key}: no lead custom field ${id} in the account`);
    } else if (!FIELD_TYPES[key].includes(field.type)) {
      problems.push(
        `settings.${key}: field ${id} ("${field.name}") is of type ${field.type}; expected ${FIELD_TYPES[key].join(' or ')}`,
      );
    }
  }
  problems.push(...linkTriggerProblems(settings.paymentLinkTrigger, pipelines, fields));
  return problems;
}
