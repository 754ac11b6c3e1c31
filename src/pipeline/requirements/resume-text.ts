// The extracted resume text as lines HR can find again: each line with its
// page and the section heading above it, read exactly as the profile reads
// them (profile/text.ts), so a requirement's evidence and a work entry's `at`
// name the same page and section.
import type { SourceSpan } from '../../domain/candidate.ts'
import { resumeLines, spanOf, type ResumeLine as ProfileLine } from '../profile/text.ts'

export interface ResumeLine {
  /** 1-based, counted over the whole text (as the profile's `at.line` is). */
  number: number
  /** The line normalised as the profile reads it (soft hyphens, odd dashes and letter spacing resolved), trimmed. */
  text: string
  page: number
  /** The heading of the section the line sits in, as written; null above the first heading. */
  section: string | null
  /** The line is a section heading itself. */
  heading: boolean
  /** Under a skills heading, or after a skills label on the line ("Tools: …"): a short word here is a skill. */
  skillsContext: boolean
  span: SourceSpan
}

// Section titles and line labels the profile's heading list does not know that still introduce skills ("Programming Languages:").
const SKILLS_WORDING = /skill|technolog|tools|stack|competenc|languages|expertise|proficienc|frameworks|platforms/i

export function isSkillsWording(words: string | null): boolean {
  return words !== null && SKILLS_WORDING.test(words)
}

function skillsContext(line: ProfileLine): boolean {
  return line.section === 'skills' || line.label === 'skills' || isSkillsWording(line.sectionTitle)
}

export class ResumeText {
  readonly lines: ResumeLine[]

  constructor(text: string) {
    this.lines = resumeLines(text).map((line) => ({
      number: line.index + 1,
      text: line.text,
      page: line.page,
      section: line.sectionTitle,
      heading: line.heading,
      skillsContext: skillsContext(line),
      span: spanOf(line),
    }))
  }

  line(number: number): ResumeLine | undefined {
    return this.lines[number - 1]
  }

  span(number: number): SourceSpan {
    return this.lines[number - 1]?.span ?? { page: 1, line: number, section: null }
  }
}
