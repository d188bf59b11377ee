import { DEFAULT_VPOS_FIELDS } from './vpos-fields';
import { readVposIntake, vposIntakeProblem } from './vpos-intake';

describe('VPOS intake', () => {
  const body = { id: 'evt-1', type: 'payment.paid', data: { id: 's-1', merchantOrderId: 'o-1' } };

  it('keys a webhook by its event id, else by the webhook-id header', () => {
    expect(readVposIntake(body, 'msg-1', DEFAULT_VPOS_FIELDS)).toMatchObject({
      ok: true,
      providerEventId: 'evt-1',
      claim: { sessionId: 's-1', orderId: 'o-1' },
    });
    expect(readVposIntake({ ...body, id: undefined }, 'msg-1', DEFAULT_VPOS_FIELDS)).toMatchObject({
      ok: true,
      providerEventId: 'msg-1',
    });
    expect(readVposIntake({ data: {} }, undefined, DEFAULT_VPOS_FIELDS)).toEqual({
      ok: false,
      message: 'id: the event id is required (or a webhook-id header)',
    });
  });

  it('names the header before the body when an identifier is unusable', () => {
    expect(vposIntakeProblem(body, 'x'.repeat(129), DEFAULT_VPOS_FIELDS)).toBe(
      'webhook-id: must be 1-128 printable characters',
    );
    expect(vposIntakeProblem({ id: 7.5, type: {} }, 'msg-1', DEFAULT_VPOS_FIELDS)).toBe(
      'type: must be a string',
    );
    expect(vposIntakeProblem(body, undefined, DEFAULT_VPOS_FIELDS)).toBeUndefined();
  });
});
