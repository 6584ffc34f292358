import { describe, expect, it } from 'vitest';
import { EPOCH_MS_FROM, eventTime, formatTime, parseTimeValue } from './event-time.js';

const utc = (iso: string): number => Date.parse(iso);

describe('event time: ISO 8601 text', () => {
  it('reads the forms logs write, with or without zone (none is UTC), T or a space, any fraction', () => {
    expect(parseTimeValue('2024-01-15T10:00:00Z')).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('2024-01-15 10:00:00.123')).toBe(utc('2024-01-15T10:00:00.123Z'));
    expect(parseTimeValue('2024-01-15T10:00')).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('2024-01-15')).toBe(utc('2024-01-15T00:00:00Z'));
    expect(parseTimeValue('2024-01-15T12:00:00+02:00')).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('2024-01-15T08:30:00-0130')).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('2024-01-15T11:00:00+01')).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('2024-01-15T10:00:00,5Z')).toBe(utc('2024-01-15T10:00:00.500Z'));
  });

  it('keeps microseconds (EVTX writes 100 ns ticks: rounded to the microsecond)', () => {
    expect(parseTimeValue('2022-04-12T22:52:00.6896546Z')).toBe(utc('2022-04-12T22:52:00.000Z') + 689.655);
    expect(formatTime(utc('2024-01-15T10:04:30Z') + 250.5)).toBe('2024-01-15T10:04:30.250500Z');
    expect(formatTime(utc('2024-01-15T10:00:00Z'))).toBe('2024-01-15T10:00:00.000Z');
  });

  it('checks every part: month 13, 31 April, 29 February of a common year, 25:00 and a 24 h zone are no times', () => {
    expect(parseTimeValue('2024-13-01T00:00:00Z')).toBeUndefined();
    expect(parseTimeValue('2024-04-31T00:00:00Z')).toBeUndefined();
    expect(parseTimeValue('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTimeValue('2024-02-29T00:00:00Z')).toBe(utc('2024-02-29T00:00:00Z'));
    expect(parseTimeValue('2000-02-29')).toBe(utc('2000-02-29T00:00:00Z'));
    expect(parseTimeValue('1900-02-29')).toBeUndefined();
    expect(parseTimeValue('2024-01-15T25:00:00Z')).toBeUndefined();
    expect(parseTimeValue('2024-01-15T10:00:00+24:00')).toBeUndefined();
    expect(parseTimeValue('15/01/2024 10:00')).toBeUndefined();
    expect(parseTimeValue('yesterday')).toBeUndefined();
  });
});

describe('event time: epoch seconds or milliseconds', () => {
  it('below 100,000,000,000 seconds, from there milliseconds; numbers or digit text', () => {
    expect(parseTimeValue(1705312800)).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue(1705312800000)).toBe(utc('2024-01-15T10:00:00Z'));
    expect(parseTimeValue('1705312800.5')).toBe(utc('2024-01-15T10:00:00.500Z'));
    expect(parseTimeValue(EPOCH_MS_FROM - 1)).toBe((EPOCH_MS_FROM - 1) * 1000);
    expect(parseTimeValue(EPOCH_MS_FROM)).toBe(EPOCH_MS_FROM);
    expect(parseTimeValue(Number.NaN)).toBeUndefined();
    expect(parseTimeValue(9e15)).toBeUndefined();
    expect(parseTimeValue(true)).toBeUndefined();
  });
});

describe('event time: the time fields', () => {
  it('the first field the event has decides, in the order given; a present but unusable value is no time', () => {
    const fields = ['TimeCreated_SystemTime', '@timestamp', 'UtcTime', 'timestamp'];
    const e1 = eventTime({ UtcTime: '2024-01-15 10:00:00.000', timestamp: 1 }, fields);
    expect(e1).toEqual({ ok: true, ms: utc('2024-01-15T10:00:00Z'), field: 'UtcTime' });
    const bad = eventTime({ '@timestamp': 'soon', UtcTime: '2024-01-15 10:00:00.000' }, fields);
    expect(bad.ok).toBe(false);
    const none = eventTime({ Image: 'x' }, fields);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.reason).toMatch(/TimeCreated_SystemTime/);
    expect(eventTime({ when: '2024-01-15T10:00:00Z' }, ['when'])).toEqual({ ok: true, ms: utc('2024-01-15T10:00:00Z'), field: 'when' });
  });
});
