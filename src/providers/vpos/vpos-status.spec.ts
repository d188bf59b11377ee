import { mapVposStatus } from './vpos-status';

describe('VPOS status mapping', () => {
  it.each([
    ['paid', 'paid'],
    ['SUCCEEDED', 'paid'],
    ['completed', 'paid'],
    ['processing', 'pending'],
    ['declined', 'failed'],
    ['canceled', 'cancelled'],
    ['partially_refunded', 'partially_refunded'],
  ])('%s → %s', (provider, ours) => {
    expect(mapVposStatus(provider)).toEqual({ status: ours, known: true });
  });

  it('anything unknown is manual review, never paid', () => {
    expect(mapVposStatus('authorized')).toEqual({ status: 'manual_review', known: false });
    expect(mapVposStatus(undefined)).toEqual({ status: 'manual_review', known: false });
  });

  it('configured entries win over the defaults', () => {
    expect(mapVposStatus('authorized', { authorized: 'pending' })).toEqual({
      status: 'pending',
      known: true,
    });
  });
});
