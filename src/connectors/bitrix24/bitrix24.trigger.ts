import { IsIn, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { NOTE_LANGUAGES, NoteLanguage } from '../shared/payment-note';
import type { StageCatalog } from './bitrix24.catalog';

/**
 * `settings.paymentLinkTrigger`: a deal entering `stageId` gets a payment link. A bare id means
 * that stage in the deal's own pipeline; `C<n>:<id>` pipeline n only.
 */
export class Bitrix24LinkTrigger {
  @Matches(/^(C\d+:)?[A-Z0-9_]{1,50}$/, {
    message: 'must be a stage id such as PREPAYMENT_INVOICE, UC_XXXX or C<n>:<id>',
  })
  stageId: string;

  @IsOptional()
  @Matches(/^UF_CRM_[A-Z0-9_]+$/, { message: 'must be a deal user field, UF_CRM_<NAME>' })
  linkField?: string;

  @IsOptional() @IsIn(NOTE_LANGUAGES) commentLanguage?: NoteLanguage;

  /** The largest amount (major units, the deal's currency) a link is made for. */
  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  @Min(0.01)
  @Max(1e10)
  maxAmount?: number;
}

export function linkTriggerProblems(
  trigger: Bitrix24LinkTrigger | undefined,
  fields: Record<string, unknown>,
  catalog: StageCatalog,
): string[] {
  if (!trigger) return [];
  const problems: string[] = [];
  if (!catalog.knows(trigger.stageId)) {
    problems.push(
      `settings.paymentLinkTrigger.stageId: unknown stage "${trigger.stageId}" (this portal has ${catalog.allStages().join(', ')})`,
    );
  }
  if (trigger.linkField && !Object.prototype.hasOwnProperty.call(fields, trigger.linkField)) {
    problems.push(
      `settings.paymentLinkTrigger.linkField: ${trigger.linkField} is not a deal field on this portal`,
    );
  }
  return problems;
}

export function triggerStageFor(stageId: string, categoryId: number): string {
  if (/^C\d+:/.test(stageId)) return stageId;
  return categoryId === 0 ? stageId : `C${categoryId}:${stageId}`;
}
