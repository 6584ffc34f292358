import { describe, expect, it } from 'vitest';
import { isoWeek, timestampPart } from './timestamp.js';
import type { TimePart } from '../plan/plan.js';

type Parts = Partial<Record<TimePart, number | undefined>>;

describe('timestampPart', () => {
  const TABLE: Array<[string, Parts]> = [
    ['2024-03-07', { year: 2024, month: 3, day: 7, week: 10, hour: undefined, minute: undefined }],
    ['2024-03-07T22:15', { year: 2024, month: 3, day: 7, hour: 22, minute: 15 }],
    ['2024-03-07 22:15', { hour: 22, minute: 15 }],
    ['2024-03-07T22:15:09', { hour: 22, minute: 15 }],
    ['2024-03-07T22:15:09.123456', { hour: 22, minute: 15 }],
    ['2024-03-07T22:15:09Z', { hour: 22, minute: 15, day: 7 }],
    ['2024-03-07T23:59:59+05:00', { hour: 23, day: 7 }], // as written, no zone conversion
    ['2024-03-07T00:30:00-0800', { hour: 0, minute: 30, day: 7 }],
    ['2024-03-07T22:15Z', { hour: 22 }],
    ['2024-12-31T23:59:59.999Z', { year: 2024, month: 12, day: 31, week: 1, hour: 23, minute: 59 }],
    ['0001-01-01', { year: 1, month: 1, day: 1 }],
  ];
  it.each(TABLE)('%s', (text, parts) => {
    for (const [part, value] of Object.entries(parts) as Array<[TimePart, number | undefined]>) {
      expect(timestampPart(text, part), part).toBe(value);
    }
  });

  const NOT_TIMESTAMPS = [
    '',
    '2024',
    '2024-03',
    '2024-3-7',
    '24-03-07',
    '07.03.2024',
    '03/07/2024',
    '2024-03-07T',
    '2024-03-07T22',
    '2024-03-07T2:15',
    '2024-03-07t22:15',
    '2024-03-07T22:15:09+05', // zone needs minutes
    '2024-03-07Z', // a zone needs a time
    ' 2024-03-07',
    '2024-03-07 ',
    '1709849709',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-01-32',
    'Thu, 07 Mar 2024 22:15:09 GMT',
  ];
  it.each(NOT_TIMESTAMPS)('%j is not a timestamp', (text) => {
    for (const part of ['year', 'month', 'day', 'week', 'hour', 'minute'] as const) {
      expect(timestampPart(text, part), part).toBeUndefined();
    }
  });

  const INVALID_CALENDAR = ['2023-02-29', '2024-02-30', '2024-04-31', '2024-03-07T24:00', '2024-03-07T22:60', '2024-03-07T22:15:61'];
  it.each(INVALID_CALENDAR)('%j (impossible date or time) is not a timestamp', (text) => {
    for (const part of ['year', 'month', 'day', 'week', 'hour', 'minute'] as const) {
      expect(timestampPart(text, part), part).toBeUndefined();
    }
  });

  it('a leap day is a date', () => {
    expect(timestampPart('2024-02-29', 'day')).toBe(29);
    expect(timestampPart('2000-02-29', 'week')).toBe(9);
  });
});

describe('isoWeek', () => {
  const TABLE: Array<[string, number]> = [
    ['2021-01-01', 53], // Friday → week 53 of 2020
    ['2021-01-03', 53], // Sunday
    ['2021-01-04', 1], // Monday
    ['2020-12-31', 53],
    ['2024-01-01', 1], // Monday
    ['2024-12-29', 52], // Sunday
    ['2024-12-30', 1], // Monday → week 1 of 2025
    ['2025-12-28', 52],
    ['2025-12-29', 1], // week 1 of 2026
    ['2026-01-01', 1], // Thursday
    ['2027-01-01', 53], // Friday → week 53 of 2026
    ['2027-01-03', 53],
    ['2027-01-04', 1],
    ['2023-01-01', 52], // Sunday → week 52 of 2022
    ['2023-01-02', 1],
    ['2015-12-31', 53],
    ['2016-01-03', 53],
    ['2008-12-29', 1],
    ['2010-01-03', 53],
    ['2024-03-07', 10],
    ['2024-06-30', 26],
    ['0001-01-01', 1], // proleptic Gregorian Monday
    ['0004-01-01', 1], // Thursday
    ['0004-12-31', 53], // Friday of a leap year that started on a Thursday
    ['0099-12-31', 53], // a Thursday: always week 53
  ];
  it.each(TABLE)('%s is in ISO week %i', (date, week) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    expect(isoWeek(y, m, d)).toBe(week);
  });

  it('agrees with a day-by-day count over several years', () => {
    // Walk from the Monday of ISO week 1 of 2000 (2000-01-03) and count weeks.
    const day = new Date(Date.UTC(2000, 0, 3));
    let isoYear = 2000;
    let week = 1;
    for (let n = 0; n < 366 * 30; n++) {
      const y = day.getUTCFullYear();
      const m = day.getUTCMonth() + 1;
      const d = day.getUTCDate();
      expect(isoWeek(y, m, d)).toBe(week);
      day.setUTCDate(day.getUTCDate() + 1);
      if (day.getUTCDay() === 1) {
        week++;
        // a new ISO year starts on the Monday whose week holds January 4
        const thursday = new Date(day);
        thursday.setUTCDate(thursday.getUTCDate() + 3);
        if (thursday.getUTCFullYear() !== isoYear) {
          isoYear = thursday.getUTCFullYear();
          week = 1;
        }
      }
    }
  });
});
