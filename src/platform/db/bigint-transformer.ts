import type { ValueTransformer } from 'typeorm';

/**
 * pg returns bigint as a string. Sizes and amounts in cents stay far below 2^53, so a JS number
 * is exact; a value that would not be is refused rather than silently rounded.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) throw new RangeError(`bigint ${value} does not fit a JavaScript number`);
    return parsed;
  },
};
