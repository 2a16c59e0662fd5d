/** Whether a character or byte code is an ASCII digit (0-9): the parsers and the deframer read codes, not strings. */
export const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
