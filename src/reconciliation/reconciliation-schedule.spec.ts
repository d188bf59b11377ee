import { dayStart, previousDay } from './reconciliation-schedule';

describe('the daily run period', () => {
  it('is the whole previous day in the configured time zone', () => {
    // 00:30 in Yerevan (UTC+4) on 7 December is 20:30 UTC on the 6th.
    expect(previousDay(new Date('2026-12-06T20:30:00Z'), 'Asia/Yerevan')).toEqual({
      from: new Date('2026-12-05T20:00:00Z'),
      to: new Date('2026-12-06T20:00:00Z'),
    });
  });

  it('follows a daylight-saving change', () => {
    // Berlin switched to summer time on 29 March 2026: that day had 23 hours.
    const { from, to } = previousDay(new Date('2026-03-30T08:00:00Z'), 'Europe/Berlin');
    expect(from).toEqual(new Date('2026-03-28T23:00:00Z'));
    expect(to).toEqual(new Date('2026-03-29T22:00:00Z'));
    expect(dayStart(new Date('2026-12-06T23:59:59Z'), 'UTC')).toEqual(
      new Date('2026-12-06T00:00:00Z'),
    );
  });
});
