// Dates and date ranges as resumes write them: "Jan 2019 – Present",
// "2019-2021", "06/15 - Now", "05/15 ⇒ Now", "(May,2017 – July,2017)",
// "03.2018 – 11.2020", "Summer 2016", "since 2020", and month names and "now"
// in French, Spanish, German, Italian and Dutch ("janv. 2020 – aujourd'hui",
// "Enero 2019 - Actualidad", "März 2017 bis heute"). Tokens first, then ranges
// between neighbouring tokens: one pass of a bounded regex per line.

export interface ResumeDate {
  year: number
  /** 1..12, null when only the year is written. */
  month: number | null
}

export interface DateRange {
  start: ResumeDate
  /** null when open ("Present") or not written. */
  end: ResumeDate | null
  current: boolean
  /** Where the range sits in the text it was read from. */
  index: number
  length: number
}

// Each month's names: English, then French, Spanish, German, Italian and Dutch ones that differ.
const MONTH_WORDS: readonly string[] = [
  'jan(?:uary)?|janv(?:ier)?|ene(?:ro)?|januar|jän(?:ner)?|genn(?:aio)?|gen|januari',
  'feb(?:ruary)?|f[ée]v(?:r(?:ier)?)?|febrero|februar|febbraio|februari',
  'mar(?:ch)?|mars|marzo|märz|mär|maart|mrt',
  'apr(?:il)?|avr(?:il)?|abr(?:il)?|aprile',
  'may|mai|mayo|maggio|mag|mei',
  'june?|juin|junio|juni|giugno|giu',
  'july?|juil(?:let)?|julio|juli|luglio|lug',
  'aug(?:ust)?|ao[uû]t|ago(?:sto)?|augustus',
  'sep(?:t(?:ember)?)?|septembre|septiembre|setiembre|set(?:tembre)?',
  'oct(?:ober)?|octobre|octubre|okt(?:ober)?|ott(?:obre)?',
  'nov(?:ember)?|novembre|noviembre',
  'dec(?:ember)?|d[ée]c(?:embre)?|dic(?:iembre)?|dez(?:ember)?|dicembre',
]
const MONTH_NAMES = MONTH_WORDS.join('|')
const MONTH_OF = MONTH_WORDS.map((words) => new RegExp(`^(?:${words})$`, 'iu'))
const OPEN_WORDS =
  "present|current(?:ly)?|now|today|ongoing|till date|to date|date|heute|présent|aujourd['’]hui|actuel(?:lement)?|en cours|presente|actualidad|actual|hoy|jetzt|oggi|attuale|heden"

/** 1..12 for a month's name as MONTH_NAMES matched it. */
function monthNumber(name: string): number {
  const bare = name.replace(/\.$/, '')
  return MONTH_OF.findIndex((pattern) => pattern.test(bare)) + 1
}
const DATE_TOKEN = new RegExp(
  '(?<![\\p{L}\\p{N}])(?:' +
    // A year cut to two digits after an apostrophe, a closing or (as word processors often turn it) an opening one.
    "(spring|summer|fall|autumn|winter)[ ,]{1,2}((?:19|20)\\d{2}|['‘’]\\d{2})" +
    `|(${MONTH_NAMES})\\.?,?[ ]{0,2}['‘’]?(\\d{4}|\\d{2})` +
    '|(\\d{1,2})[/.-]((?:19|20)\\d{2})' +
    // "2019-03", "2019/03", and with the slash spaced as some templates set it, "2016 / 09".
    // Not a full date's first part ("2019-03-15"); "2022/10-2024/07" is two.
    '|((?:19|20)\\d{2})(?:[/.-]| / )(\\d{1,2})(?![/.]?\\d|-\\d{1,2}(?!\\d))' +
    // A full date ("01/03/2019", "01.03.2019", as Europass writes them): only its month and year are kept.
    '|(\\d{1,2})[/.](\\d{1,2})[/.]((?:19|20)\\d{2})' +
    '|(\\d{1,2})/(\\d{2})' +
    '|((?:19|20)\\d{2})' +
    `|(${OPEN_WORDS})` +
    ')(?![\\p{L}\\p{N}])',
  'giu',
)
const SEPARATOR = /^[ ]{0,3}(?:-{1,2}|–|—|to|until|till|through|thru|⇒|→|->|=>|~|bis|à|au|a|hasta|al|tot|fino a)[ ]{0,3}$/i
const SINCE = /(?:since|seit|from)[ ]{1,3}$/i
const SHORT_END = /^[ ]?[-–—][ ]?(\d{2})(?![\d/.%:,]|[ ]?[-–—/])/
const SEASON_START: Record<string, number> = { spring: 3, summer: 6, fall: 9, autumn: 9, winter: 12 }

interface Token {
  index: number
  length: number
  date: ResumeDate | null
  open: boolean
  season: { start: ResumeDate; end: ResumeDate } | null
}

// Tokens further apart than this are not one range; a line holding more is not a date line.
const MAX_TOKENS = 40

function tokensOf(text: string, nowYear: number): Token[] {
  const tokens: Token[] = []
  // Every date has digits; a line without any (most of a resume) holds none, nor a range ("Present" alone is none).
  if (!/\d/.test(text)) return tokens
  for (const m of text.matchAll(DATE_TOKEN)) {
    if (tokens.length >= MAX_TOKENS) break
    const token: Token = { index: m.index, length: m[0].length, date: null, open: false, season: null }
    if (m[1]) {
      const year = fullYear(m[2]!.replace(/^['‘’]/, ''), nowYear)
      const start = SEASON_START[m[1].toLowerCase()]!
      token.season = { start: { year, month: start }, end: start === 12 ? { year: year + 1, month: 2 } : { year, month: start + 2 } }
      token.date = token.season.start
    } else if (m[3]) token.date = { year: fullYear(m[4]!, nowYear), month: monthNumber(m[3]) }
    else if (m[5]) token.date = monthYear(Number(m[5]), Number(m[6]))
    else if (m[7]) {
      token.date = monthYear(Number(m[8]), Number(m[7]))
      // "2021-24": no month 24, so the year starts a short range, whose end findRanges reads.
      if (!token.date && m[8]!.length === 2 && /^\d{4}-/.test(m[0])) {
        token.date = { year: Number(m[7]), month: null }
        token.length = 4
      }
    } else if (m[9]) token.date = dayMonthYear(Number(m[9]), Number(m[10]), Number(m[11]))
    else if (m[12]) token.date = monthYear(Number(m[12]), fullYear(m[13]!, nowYear))
    else if (m[14]) token.date = { year: Number(m[14]), month: null }
    else token.open = true
    if (token.date || token.open) tokens.push(token)
  }
  return tokens
}

function bothMonths(first: Token, second: Token): boolean {
  return first.season === null && second.season === null && first.date?.month != null && second.date?.month != null
}

function before(a: ResumeDate, b: ResumeDate): boolean {
  return a.year < b.year || (a.year === b.year && (a.month ?? 0) < (b.month ?? 0))
}

/** Day first as Europe writes it; "03/15/2019", whose second number is no month, is read month first. */
function dayMonthYear(first: number, second: number, year: number): ResumeDate | null {
  return second > 12 ? monthYear(first, year) : monthYear(second, year)
}

function monthYear(month: number, year: number): ResumeDate | null {
  return month >= 1 && month <= 12 ? { year, month } : null
}

/** "19" is 2019 up to next year, 1919 after it... and "98" is 1998. */
function fullYear(written: string, nowYear: number): number {
  if (written.length === 4) return Number(written)
  const yy = Number(written)
  return yy <= (nowYear % 100) + 1 ? 2000 + yy : 1900 + yy
}

// "June–August 2017", "Jan - Mar, 2020": two months and the year they share.
const MONTH_RANGE = new RegExp(
  `(?<![\\p{L}\\p{N}])(${MONTH_NAMES})\\.?[ ]{0,3}(?:-{1,2}|–|—|to|until|through)[ ]{0,3}(${MONTH_NAMES})\\.?,?[ ]{0,2}((?:19|20)\\d{2})(?![\\p{L}\\p{N}])`,
  'giu',
)

const MONTH_RANGE_SIGN = /[-–—]|\b(?:to|until|through)\b/i

function monthRanges(text: string): DateRange[] {
  const ranges: DateRange[] = []
  for (const m of text.matchAll(MONTH_RANGE)) {
    const year = Number(m[3])
    const from = monthNumber(m[1]!)
    const to = monthNumber(m[2]!)
    // "Nov – Feb 2020" began the year before.
    ranges.push({
      start: { year: from > to ? year - 1 : year, month: from },
      end: { year, month: to },
      current: false,
      index: m.index,
      length: m[0].length,
    })
    if (ranges.length >= MAX_TOKENS) break
  }
  return ranges
}

/** Every date range in one line of text, left to right. */
export function findRanges(text: string, nowYear: number): DateRange[] {
  const all = tokensOf(text, nowYear)
  // Months sharing a year end in a month-year token, after a dash or a word between two month names.
  const shared =
    all.some((token) => token.date?.month != null && token.season === null) && MONTH_RANGE_SIGN.test(text) ? monthRanges(text) : []
  const inShared = (token: Token) => shared.some((range) => token.index >= range.index && token.index < range.index + range.length)
  const tokens = shared.length > 0 ? all.filter((token) => !inShared(token)) : all
  const ranges: DateRange[] = [...shared]
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.open || !token.date) continue
    // "2021-24", "2018 – 22": a year and the last two digits of a later one.
    const short = token.date.month === null && token.season === null ? SHORT_END.exec(text.slice(token.index + token.length)) : null
    if (short) {
      const end = token.date.year - (token.date.year % 100) + Number(short[1])
      if (end > token.date.year && end - token.date.year <= 10) {
        ranges.push({
          start: token.date,
          end: { year: end, month: null },
          current: false,
          index: token.index,
          length: token.length + short[0].length,
        })
        continue
      }
    }
    const next = tokens[i + 1]
    if (next) {
      const between = text.slice(token.index + token.length, next.index)
      const joined =
        SEPARATOR.test(between) ||
        (next.open && /^(?:[ ,]{1,3}|[ ]{0,3}\|[ ]{0,3})$/.test(between)) ||
        // "Sep. 2023 Mar. 2024": a range whose dash the PDF's text left out (a glyph without a character), read
        // only between two month-years in order, so a list of dates is not taken for one.
        // So is a bar between them ("May 2017 | August 2017").
        (/^(?:[ ]{1,3}|[ ]{0,3}\|[ ]{0,3})$/.test(between) && bothMonths(token, next) && !before(next.date!, token.date)) ||
        // "Summer 2012 and 2013": the same season in two years.
        (token.season !== null &&
          next.date !== null &&
          next.date.month === null &&
          /^ and $/i.test(between) &&
          next.date.year > token.date.year)
      if (joined && (next.open || next.date)) {
        const end = next.open ? null : next.season ? next.season.end : next.date
        ranges.push({ start: token.date, end, current: next.open, index: token.index, length: next.index + next.length - token.index })
        i++
        continue
      }
    }
    if (token.season) {
      ranges.push({ start: token.season.start, end: token.season.end, current: false, index: token.index, length: token.length })
    } else if (SINCE.test(text.slice(Math.max(0, token.index - 10), token.index))) {
      ranges.push({ start: token.date, end: null, current: true, index: token.index, length: token.length })
    }
  }
  return shared.length > 0 ? ranges.sort((a, b) => a.index - b.index) : ranges
}

/**
 * A month and year opening the text with no end after it ("2016 / 09
 * Fullstack Engineer, Acme"): a role's start, its end not written. A year
 * alone is not taken, since prose starts with years too.
 */
export function leadingStart(text: string, nowYear: number): DateRange | null {
  const [first, second] = tokensOf(text, nowYear)
  if (!first || first.index !== 0 || !first.date || first.date.month === null || first.season) return null
  if (second && findRanges(text, nowYear).length > 0) return null
  // Its separator from the title ("2016 / 09 - University of Bremen") goes with it.
  const length = first.length + (/^[ ]{0,3}[-–—|:][ ]{0,3}/.exec(text.slice(first.length))?.[0].length ?? 0)
  return { start: first.date, end: null, current: false, index: 0, length }
}

/** Single years and month-years not part of a range ("2019", "May 2021"): graduation dates. */
export function findDates(text: string, nowYear: number): ResumeDate[] {
  return tokensOf(text, nowYear)
    .map((token) => token.date)
    .filter((date): date is ResumeDate => date !== null)
}

/** JSON Resume's form: "2019" or "2019-03". */
export function formatDate(date: ResumeDate | null): string | null {
  if (!date) return null
  return date.month === null ? String(date.year) : `${date.year}-${String(date.month).padStart(2, '0')}`
}

export interface MonthSpan {
  start: number
  end: number
}

const EARLIEST_YEAR = 1950

/**
 * A range as a half-open interval of months. A year alone starts in January
 * and ends at the start of its year ("2015 - 2020" is five years; "2019 - 2019"
 * one); a month named at the end counts as worked ("Jan 2020 - Jan 2020" is one
 * month). Open ranges run to `nowMonth`; nothing counts past it.
 */
export function monthSpan(range: { start: ResumeDate; end: ResumeDate | null; current: boolean }, nowMonth: number): MonthSpan | null {
  const start = range.start.year * 12 + (range.start.month ?? 1) - 1
  let end: number
  if (range.current) end = nowMonth
  else if (!range.end) return null
  else if (range.end.month === null) end = Math.max(range.end.year * 12, range.end.year === range.start.year ? start + 12 : 0)
  else end = range.end.year * 12 + range.end.month
  const cut = Math.min(end, nowMonth)
  if (start < EARLIEST_YEAR * 12 || start >= cut) return null
  return { start, end: cut }
}

export function monthOfNow(now: Date): number {
  return now.getUTCFullYear() * 12 + now.getUTCMonth() + 1
}

/** Total months covered, overlapping spans merged and gaps left out. */
export function mergedMonths(spans: MonthSpan[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  let total = 0
  let current: MonthSpan | null = null
  for (const span of sorted) {
    if (current && span.start <= current.end) current.end = Math.max(current.end, span.end)
    else {
      if (current) total += current.end - current.start
      current = { ...span }
    }
  }
  if (current) total += current.end - current.start
  return total
}
