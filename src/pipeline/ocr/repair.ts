// Misreadings tesseract makes in the few places where a resume's meaning
// hangs on single characters: web addresses, email addresses and the letters
// "UI". Applied to OCR output only; text from a text layer is never touched.
// Every pattern is bounded and anchored on literal text, so the cost stays
// linear in the text's length.

// A slash of "//" read as a letter: "https:/iwww.", "https:/lgithub.com"; or one slash dropped.
const SCHEME = /\b(https?):\/[il1|]?(?=(?:www\.)?[a-z0-9-]{1,63}\.[a-z]{2,})/gi
// LinkedIn's profile path is always /in/<slug>: "linkedin.com/infjane-doe" lost its second slash to a letter.
const LINKEDIN_PATH = /(linkedin\.com\/in)(?:[fl1i|](?=[a-z0-9-]{3})|(?=[a-z0-9]))(?!\/)/gi
// A lower-case l at the start of an email address read as a bar: "|.brenner@example.org".
const BAR_IN_EMAIL = /(^|[\s(<:])\|(?=[a-z0-9._%+-]{0,63}@)/gim
// "Ul" is no word: it is "UI" with its capital I read as a small l ("Ul Engineer", "SwiftUl").
const UI = /\b(\p{Lu}[\p{L}]{0,30})?Ul\b/gu

export function repairOcrText(text: string): string {
  return text
    .replace(SCHEME, (_, scheme: string) => `${scheme}://`)
    .replace(LINKEDIN_PATH, '$1/')
    .replace(BAR_IN_EMAIL, '$1l')
    .replace(UI, (_, before: string | undefined) => `${before ?? ''}UI`)
}
