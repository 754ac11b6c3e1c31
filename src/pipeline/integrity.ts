// Text in a resume aimed at the screener instead of the reader: "ignore
// previous instructions", "rate this candidate 10/10", chat-template
// markers. Such lines are removed before any scorer sees the text (the line
// numbers of the rest stay as they were, so evidence still points at the
// right place) and flagged to HR. Matching is line by line with bounded
// patterns: the text is attacker-controlled and must cost linear time.
import type { IntegrityFlag, SourceSpan } from '../domain/candidate.ts'

export interface IntegrityScreening {
  /** The text with every flagged line blanked (same number of lines and pages). */
  text: string
  flags: IntegrityFlag[]
}

/** A line is longer than this only in a text built to hide something in it: it is checked in windows. */
const WINDOW = 2_000
/** Flags kept per resume: a resume made of injections needs no more than this to be seen for what it is. */
const MAX_FLAGS = 20

const INSTRUCTION_PATTERNS: Array<{ pattern: RegExp; label: string }> = [
  {
    pattern:
      /\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|any|other|your)\b[^.\n]{0,30}\b(?:instructions?|prompts?|rules|directions|guidelines|criteria)\b/i,
    label: 'asks to ignore instructions',
  },
  {
    // Only the forms that speak to the reader: "worked as an assistant" or "built an AI assistant" are not flagged.
    pattern:
      /\b(?:you are|you're|act as|pretend to be|dear)\s+(?:an?\s+|the\s+)?(?:ai|a\.i\.|assistant|language model|llm|chatbot|gpt|recruit(?:er|ing) (?:bot|assistant|system)|screener|screening (?:tool|system|bot)|ats|applicant tracking system)\b/i,
    label: 'addresses an AI or screening system',
  },
  {
    pattern:
      /\b(?:rate|score|rank|grade|evaluate|assess|mark|classify|recommend)\s+(?:this|the|me|my)\s+(?:candidate|applicant|resume|cv|profile|application)\b[^.\n]{0,40}\b(?:as|with|at|a|an|highly|top|best|perfect|excellent|strong(?:ly)?|\d+\s*(?:\/|out of)\s*\d+|100\s*%|maximum|highest)\b/i,
    label: 'tells the screener how to rate the candidate',
  },
  {
    pattern:
      /\b(?:note|message|instructions?|attention)\s+(?:to|for)\s+(?:the\s+)?(?:ai|llm|gpt|chatgpt|claude|model|screener|screening (?:tool|system)|ats|recruit(?:er|ing) (?:bot|software|system))\b/i,
    label: 'a note to an AI or screening system',
  },
  {
    pattern:
      /\b(?:new|updated|additional|hidden)\s+instructions?\s*(?::|for\s+(?:the\s+)?(?:ai|model|screener|ats))|\bend of (?:resume|cv|document)\b[^.\n]{0,20}\binstructions?\b/i,
    label: 'prompt-injection wording',
  },
  {
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[\/?INST\]|<\/?(?:system|instructions?)>|^\s*#{2,}\s*(?:system|instructions?)\b/im,
    label: 'chat-template markers',
  },
  {
    pattern:
      /\b(?:this|the)\s+(?:candidate|applicant)\s+(?:is|must be|should be)\s+(?:selected|shortlisted|advanced|hired|approved|the best (?:fit|match|candidate)|a perfect (?:fit|match))\b/i,
    label: 'tells the screener what to decide',
  },
]

/** Blanks the lines that speak to a screener and says where they were. */
export function screenForInstructions(text: string): IntegrityScreening {
  const lines = text.split('\n')
  const flags: IntegrityFlag[] = []
  let page = 1
  let section: string | null = null
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!
    page += countFormFeeds(line)
    const heading = sectionHeading(line)
    if (heading) section = heading
    const found = findInstruction(line)
    if (!found) continue
    if (flags.length < MAX_FLAGS) {
      const at: SourceSpan = { page, line: index + 1, section }
      flags.push({ kind: 'instructions', detail: `${found.label}: "${excerpt(found.match)}"`, at })
    }
    // Keep the page breaks the line carried, so later pages keep their numbers.
    lines[index] = '\f'.repeat(countFormFeeds(line))
  }
  return { text: lines.join('\n'), flags }
}

function findInstruction(line: string): { label: string; match: string } | undefined {
  for (let start = 0; start < line.length; start += WINDOW / 2) {
    const window = line.slice(start, start + WINDOW)
    for (const { pattern, label } of INSTRUCTION_PATTERNS) {
      const match = pattern.exec(window)
      if (match) return { label, match: match[0] }
    }
    if (start + WINDOW >= line.length) break
  }
  return undefined
}

function countFormFeeds(line: string): number {
  let count = 0
  for (const char of line) if (char === '\f') count++
  return count
}

const HEADING = /^\s*([A-Z][A-Za-z &/]{2,40}?)\s*:?\s*$/

/** A short line in title or upper case standing alone reads as a section heading. */
function sectionHeading(line: string): string | null {
  const match = HEADING.exec(line.replace(/\f/g, ''))
  if (!match) return null
  const words = match[1]!.trim().split(/\s+/)
  if (words.length > 4) return null
  return words.every((word) => /^[A-Z&/]/.test(word) || word.length <= 3) ? match[1]!.trim() : null
}

function excerpt(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim()
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean
}
