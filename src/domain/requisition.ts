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
  createdAt: string
}
