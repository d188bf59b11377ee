import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { NOTE_LANGUAGES, NoteLanguage } from '../shared/payment-note';
import type { AmoCustomField, AmoPipeline } from './amocrm.types';

const CLOSED = [142, 143];

/** `settings.paymentLinkTrigger`: a lead entering `statusId` of `pipelineId` gets a payment link. */
export class AmocrmLinkTrigger {
  @IsInt({ message: 'must be a pipeline id' }) @Min(1) pipelineId: number;
  @IsInt({ message: 'must be a status id' }) @Min(1) statusId: number;
  /** A text lead field that receives the WhatsApp text (with the link). */
  @IsOptional() @IsInt({ message: 'must be a lead custom field id' }) @Min(1) linkFieldId?: number;
  @IsOptional() @IsIn(NOTE_LANGUAGES) noteLanguage?: NoteLanguage;

  /** The largest lead price (the account's currency) a link is made for. */
  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  @Min(0.01)
  @Max(1e10)
  maxAmount?: number;
}

export function linkTriggerProblems(
  trigger: AmocrmLinkTrigger | undefined,
  pipelines: AmoPipeline[],
  fields: AmoCustomField[],
): string[] {
  if (!trigger) return [];
  const path = 'settings.paymentLinkTrigger';
  const problems: string[] = [];
  const pipeline = pipelines.find((p) => p.id === trigger.pipelineId);
  if (!pipeline || pipeline.is_archive) {
    problems.push(`${path}.pipelineId: no active pipeline ${trigger.pipelineId} in the account`);
  } else {
    const status = pipeline._embedded?.statuses?.find((s) => s.id === trigger.statusId);
    if (!status || CLOSED.includes(status.id) || status.type !== 0) {
      const open = (pipeline._embedded?.statuses ?? [])
        .filter((s) => !CLOSED.includes(s.id) && s.type === 0)
        .map((s) => `${s.id} ${s.name}`);
      problems.push(
        `${path}.statusId: ${trigger.statusId} is not an open status of pipeline ${pipeline.id} (${open.join(', ')})`,
      );
    }
  }
  if (trigger.linkFieldId !== undefined) {
    const field = fields.find((f) => f.id === trigger.linkFieldId);
    if (!field || !['text', 'textarea'].includes(field.type)) {
      problems.push(
        `${path}.linkFieldId: no text lead custom field ${trigger.linkFieldId} in the account`,
      );
    }
  }
  return problems;
}
