import type { BusinessHours, Weekday } from '../whatsapp/whatsapp.module';

const WEEKDAY_BY_NAME: Readonly<Record<string, Weekday>> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** Intl formatters are costly to build; one per time zone (a handful per deployment, capped). */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 500;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Weekday and minutes since midnight of `at` in `timeZone` (UTC when the zone is unknown). */
export function localTime(at: Date, timeZone: string): { day: Weekday; minutes: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(timeZone).formatToParts(at);
  } catch {
    parts = formatterFor('UTC').formatToParts(at);
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAY_BY_NAME[part('weekday')] ?? 'mon', minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether `at` falls inside one of the day's opening intervals ([open, close)); a missing day is closed. */
export function isOpen(hours: BusinessHours, timeZone: string, at: Date): boolean {
  const { day, minutes } = localTime(at, timeZone);
  return (hours[day] ?? []).some((interval) => minutes >= toMinutes(interval.open) && minutes < toMinutes(interval.close));
}
