import { randomUUID } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Writes a file so that its name appears only once all its bytes are on disk:
 * a reader never sees half a file and a crash never leaves a truncated one.
 * The temp file is hidden (dot-prefixed) in the same folder, so the rename is atomic.
 */
export async function writeFileAtomically(path: string, bytes: Buffer): Promise<void> {
  const temp = join(dirname(path), `.${randomUUID()}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temp).catch(() => {})
    throw error
  }
  await handle.close()
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
}
