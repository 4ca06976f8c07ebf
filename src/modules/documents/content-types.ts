/**
 * What may be uploaded: images, PDF, common office, audio and video formats (what WhatsApp can
 * carry). No HTML, SVG or scripts: content is served back to browsers. Each type says how to
 * recognise its bytes; `sniff` is null only for plain text, which is checked as UTF-8 instead.
 */
interface AllowedType {
  sniff: ((bytes: Buffer) => boolean) | null;
}

const startsWith = (signature: number[] | string, offset = 0) => (bytes: Buffer) => {
  const expected = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature);
  return bytes.length >= offset + expected.length && bytes.subarray(offset, offset + expected.length).equals(expected);
};
const anyOf = (...checks: Array<(bytes: Buffer) => boolean>) => (bytes: Buffer) => checks.some((check) => check(bytes));

const ZIP = startsWith([0x50, 0x4b, 0x03, 0x04]); // docx, xlsx, pptx are zip containers
const OLE = startsWith([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // doc, xls, ppt
const ISO_MEDIA = startsWith('ftyp', 4); // mp4, m4a, 3gp
const riff = (form: string) => (bytes: Buffer) => startsWith('RIFF')(bytes) && startsWith(form, 8)(bytes);
const MP3_FRAME = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0;
const ADTS = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0;

export const ALLOWED_CONTENT_TYPES: Record<string, AllowedType> = {
  'image/jpeg': { sniff: startsWith([0xff, 0xd8, 0xff]) },
  'image/png': { sniff: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  'image/gif': { sniff: anyOf(startsWith('GIF87a'), startsWith('GIF89a')) },
  'image/webp': { sniff: riff('WEBP') },
  'application/pdf': { sniff: startsWith('%PDF-') },
  'application/msword': { sniff: OLE },
  'application/vnd.ms-excel': { sniff: OLE },
  'application/vnd.ms-powerpoint': { sniff: OLE },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { sniff: ZIP },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { sniff: ZIP },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { sniff: ZIP },
  'text/plain': { sniff: null },
  'text/csv': { sniff: null },
  'audio/mpeg': { sniff: anyOf(startsWith('ID3'), MP3_FRAME) },
  'audio/ogg': { sniff: startsWith('OggS') },
  'audio/aac': { sniff: anyOf(ADTS, startsWith('ADIF')) },
  'audio/mp4': { sniff: ISO_MEDIA },
  'audio/amr': { sniff: startsWith('#!AMR') },
  'audio/wav': { sniff: riff('WAVE') },
  'video/mp4': { sniff: ISO_MEDIA },
  'video/3gpp': { sniff: ISO_MEDIA },
};

/** `image/JPEG; charset=x` → `image/jpeg`. */
export const normalizeContentType = (contentType: string) => contentType.split(';', 1)[0].trim().toLowerCase();

export const isAllowedContentType = (contentType: string) => Object.hasOwn(ALLOWED_CONTENT_TYPES, contentType);

/** True when the bytes look like the declared (normalised, allowed) type. */
export function contentMatchesType(contentType: string, bytes: Buffer): boolean {
  const allowed = ALLOWED_CONTENT_TYPES[contentType];
  if (!allowed) return false;
  if (allowed.sniff) return allowed.sniff(bytes);
  return isPlainText(bytes);
}

/** Valid UTF-8 without NUL bytes: what a text file is, whatever its extension claims. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
