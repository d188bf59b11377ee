import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';

export const REVIEW_DECISIONS = ['lookup', 'accept_paid', 'mark_failed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export class ResolveReviewDto {
  @ApiProperty({
    enum: REVIEW_DECISIONS,
    description:
      'lookup: ask VPOS again (an agreeing answer ends the review); accept_paid: the money ' +
      'arrived; mark_failed: it did not (only for an order in manual_review)',
  })
  @IsIn(REVIEW_DECISIONS, { message: 'decision must be one of lookup, accept_paid, mark_failed' })
  decision: ReviewDecision;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'bank statement shows the payment' })
  @IsString({ message: 'reason must be a string' })
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason: string;
}
