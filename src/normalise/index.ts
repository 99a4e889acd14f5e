export * from './result.js';
export { parsePhone, normalisePhone, type PhoneNumberParts } from './phone.js';
export { normaliseMoney, formatPennies } from './money.js';
export { normaliseDateTime, normaliseDate } from './date.js';
export { normaliseUuid } from './uuid.js';
export { normaliseEmail } from './email.js';
export { normaliseBoolean } from './boolean.js';
export { splitList, normaliseList } from './list.js';
export { normaliseText, normaliseInteger } from './text.js';
