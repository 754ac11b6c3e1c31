// An open job that candidates are screened against.
export interface Requisition {
  id: string
  title: string
  mustHaveSkills: string[]
  niceToHaveSkills: string[]
  minYearsExperience: number
  /** Score at or above which the recommendation is "advance". */
  advanceAtOrAbove: number
  /** Score below which the recommendation is "reject". */
  rejectBelow: number
  /** Free-text criteria ("has led a team", "worked in healthcare"), each assessed against the resume. */
  criteria?: string[]
  /** Blind screening: name, photo, pronouns, age, marital status, nationality and address are removed before scoring. */
  blind?: boolean
  createdAt: string
}
