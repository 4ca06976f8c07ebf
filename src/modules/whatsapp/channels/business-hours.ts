import { invalidField } from '../../../platform/errors';
import type { BusinessHours, Weekday } from './whatsapp-settings.entity';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const MAX_INTERVALS_PER_DAY = 6;
/** 'HH:MM' 24h; a close of '24:00' means midnight at the end of the day. */
export const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Normalises business hours: each day's intervals sorted, open before close, no overlaps (an
 * interval may start where the previous one ends), days without intervals dropped (closed).
 * Overnight hours are two intervals: '22:00'-'24:00' and the next day's '00:00'-'02:00'.
 */
export function normalizeBusinessHours(input: Partial<Record<Weekday, Array<{ open: string; close: string }> | null>>): BusinessHours {
  const hours: BusinessHours = {};
  for (const day of WEEKDAYS) {
    const intervals = input[day];
    if (!intervals?.length) continue;
    const field = `businessHours.${day}`;
    if (intervals.length > MAX_INTERVALS_PER_DAY) throw invalidField(field, `at most ${MAX_INTERVALS_PER_DAY} intervals a day`);
    const sorted = intervals.map(({ open, close }) => ({ open, close })).sort((a, b) => minutes(a.open) - minutes(b.open));
    sorted.forEach((interval, index) => {
      if (!TIME_OF_DAY.test(interval.open) || interval.open === '24:00' || !TIME_OF_DAY.test(interval.close)) {
        throw invalidField(field, 'times are HH:MM, 00:00 to 24:00');
      }
      if (minutes(interval.close) <= minutes(interval.open)) throw invalidField(field, `${interval.open}-${interval.close}: close must be after open`);
      const previous = sorted[index - 1];
      if (previous && minutes(interval.open) < minutes(previous.close)) {
        throw invalidField(field, `${previous.open}-${previous.close} and ${interval.open}-${interval.close} overlap`);
      }
    });
    hours[day] = sorted;
  }
  return hours;
}
