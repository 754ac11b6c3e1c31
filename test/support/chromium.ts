// Debian's Chromium, headless, as CI installs it (.ci/run): puppeteer-core
// downloads no browser of its own. A machine without it fails the test that
// needs it, naming what it was for, rather than skipping it.
import { execFileSync } from 'node:child_process'
import puppeteer, { type Browser } from 'puppeteer-core'

/** `purpose` completes "chromium is not installed: …" ("the OCR test draws its scanned resume with it"). */
export async function launchChromium(purpose: string): Promise<Browser> {
  let executablePath: string
  try {
    executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(`chromium is not installed (apt-get install chromium; CI installs it): ${purpose}`)
  }
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}
