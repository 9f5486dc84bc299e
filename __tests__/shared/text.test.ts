import { clip, sanitize } from '../../src/shared/text.js'

describe('sanitize: text from outside on one line, without control characters', () => {
  it.each([
    ['an OpenSSL message ending in a newline', 'wrong version number:ssl3_record.c:350:\n', 'wrong version number:ssl3_record.c:350: '],
    ['CRLF and tabs', 'a\r\n\tb', 'a b'],
    ['an ANSI colour escape', '\u001b[31mred\u001b[0m', '\uFFFD[31mred\uFFFD[0m'],
    ['a NUL and a bell', 'a\u0000b\u0007', 'a\uFFFDb\uFFFD'],
    ['DEL and a C1 control', 'a\u007fb\u009bc', 'a\uFFFDb\uFFFDc'],
    ['a right-to-left override', 'abc\u202efed', 'abc\uFFFDfed'],
    ['Unicode line and paragraph separators', 'a\u2028b\u2029c', 'a b c'],
    ['a workflow command after a newline', 'ok\n::error::forged', 'ok ::error::forged'],
    ['plain text, accents and emoji', 'déjà vu ✅', 'déjà vu ✅']
  ])('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected)
  })
})

describe('clip', () => {
  it.each([
    ['short text', 'abc', 5, 'abc'],
    ['text of exactly the limit', 'abcde', 5, 'abcde'],
    ['longer text, with an ellipsis inside the limit', 'abcdefgh', 5, 'abcd…'],
    ['a cut that would split an emoji', 'abc😀def', 5, 'abc…'],
    ['a cut that would split the first character past the BMP', `abc${String.fromCodePoint(0x10000)}def`, 5, 'abc…'],
    ['a cut that would split the last character past the BMP', `abc${String.fromCodePoint(0x10fc00)}def`, 5, 'abc…'],
    ['a cut after a wide character of the BMP, kept whole', 'abc！def', 5, 'abc！…'],
    ['a cut after a space, which goes', 'abc defgh', 5, 'abc…'],
    ['a cut after a run of spaces, which all go', 'ab   defgh', 5, 'ab…']
  ])('%s', (_name, input, max, expected) => {
    expect(clip(input, max)).toBe(expected)
    expect(clip(input, max).length).toBeLessThanOrEqual(max)
  })
})
