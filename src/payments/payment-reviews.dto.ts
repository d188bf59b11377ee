import { ApiProperty } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { PAYMENT_STATUSES } from '../domain/payment-status';

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

const nullable = (type: string): SchemaObject => ({ type, nullable: true });
const status: SchemaObject = { type: 'string', enum: [...PAYMENT_STATUSES] };

export const PAYMENT_VIEW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['orderId', 'status', 'inReview', 'attempts', 'events', 'deliveries', 'reviews'],
  properties: {
    orderId: { type: 'string' },
    status: { ...status, description: 'what the CRMs see' },
    inReview: {
      type: 'boolean',
      description: 'manual_review, or an open review flag that a person has to look at',
    },
    amountMinor: nullable('integer'),
    currency: nullable('string'),
    customer: {
      type: 'object',
      properties: { phone: nullable('string'), id: nullable('string') },
    },
    crm: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          attemptNo: { type: 'integer' },
          providerPaymentId: nullable('string'),
          status,
          amountMinor: nullable('integer'),
          currency: nullable('string'),
        },
      },
    },
    events: {
      type: 'array',
      description: 'normalized events (schemas/payment-event.v1.schema.json)',
      items: { type: 'object' },
    },
    deliveries: { type: 'array', items: { type: 'object' } },
    reviews: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          attemptId: { type: 'string', format: 'uuid' },
          kind: { type: 'string', enum: ['flag', 'mismatch', 'contradiction'] },
          reason: { type: 'string' },
          mismatches: { type: 'array', items: { type: 'object' } },
          eventId: nullable('string'),
          openedAt: { type: 'string', format: 'date-time' },
          resolvedAt: { type: 'string', format: 'date-time', nullable: true },
          resolution: {
            type: 'string',
            nullable: true,
            enum: ['auto', 'lookup', 'accept_paid', 'mark_failed'],
          },
          resolvedBy: nullable('string'),
          resolutionReason: nullable('string'),
          resolvedEventId: nullable('string'),
        },
      },
    },
  },
};
