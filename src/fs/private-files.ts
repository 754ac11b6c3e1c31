// Resumes and candidate records are personal data: every folder and file the
// stores create is the service user's alone (0700 / 0600). mkdir and open
// apply the process umask to the mode they are given, which can loosen nothing
// but can strip the owner's own bits, so new folders and files are chmod'ed to
// the exact mode instead of trusting the umask.
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs'
import { chmod, mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

export const PRIVATE_FOLDER_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** The folders from the first missing one down to `path`; empty when `path` exists. */
function missingFoldersSync(path: string): string[] {
  const missing: string[] = []
  for (let folder = resolve(path); !existsSync(folder);) {
    missing.unshift(folder)
    const parent = dirname(folder)
    if (parent === folder) break
    folder = parent
  }
  return missing
}

function existsSync(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch (error) {
    if (isMissing(error)) return false
    throw error
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if (isMissing(error)) return false
    throw error
  }
}

/**
 * Creates `path` and its missing parents, each 0700. A folder that already
 * exists is left as it is: it may be one the operator chose and shares.
 * Folders are made one level at a time, so that a strict umask cannot leave
 * a parent the next mkdir may not enter.
 */
export function makePrivateFolderSync(path: string): void {
  for (const folder of missingFoldersSync(path)) {
    try {
      mkdirSync(folder, { mode: PRIVATE_FOLDER_MODE })
    } catch (error) {
      // Another process made it meanwhile: then it is that process's folder to set up.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw error
    }
    chmodSync(folder, PRIVATE_FOLDER_MODE)
  }
}

/** As makePrivateFolderSync, without blocking the event loop. */
export async function makePrivateFolder(path: string): Promise<void> {
  const missing: string[] = []
  for (let folder = resolve(path); !(await exists(folder));) {
    missing.unshift(folder)
    const parent = dirname(folder)
    if (parent === folder) break
    folder = parent
  }
  for (const folder of missing) {
    try {
      await mkdir(folder, { mode: PRIVATE_FOLDER_MODE })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw error
    }
    await chmod(folder, PRIVATE_FOLDER_MODE)
  }
}

/**
 * Creates `path` empty with mode 0600 when it is missing. When it exists, any
 * group and other permission bits are removed (a file written by an older
 * build, or copied in with 0644), and nothing else about it changes.
 */
export function makePrivateFileSync(path: string): void {
  let fd: number
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    restrictToOwnerSync(path)
    return
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE)
  } finally {
    closeSync(fd)
  }
}

/** Removes group and other permission bits from `path` if it exists. */
export function restrictToOwnerSync(path: string): void {
  let mode: number
  try {
    mode = statSync(path).mode & 0o7777
  } catch (error) {
    if (isMissing(error)) return
    throw error
  }
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o7700)
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}
