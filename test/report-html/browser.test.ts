/**
 * The HTML report in a real browser: headless Chromium opens it from disk, with no console
 * errors or warnings (a blocked load or a CSP violation would be one), runs none of the
 * hostile cells' scripts, and a screenshot is taken. Outside CI, a machine without Chromium
 * skips this with a message; in CI (CI=true) it must run.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report-html/render.js';
import { findChromium, visitFile } from './chromium.js';
import { hostileModel } from './hostile-model.js';

const chromium = findChromium();
const inCi = process.env.CI === 'true';
if (chromium === undefined && !inCi) {
  console.warn('browser test skipped: no Chromium found (install Debian\'s chromium package, or set CHROMIUM_PATH); in CI it runs');
}

describe.skipIf(chromium === undefined && !inCi)('the HTML report in headless Chromium', () => {
  it('opens from disk with no console errors, runs no script from the data, and is screenshotted', async () => {
    if (chromium === undefined) throw new Error('CI=true but no Chromium was found: install Debian\'s chromium package (.ci/run does) or set CHROMIUM_PATH');
    const dir = await mkdtemp(join(tmpdir(), 'plannr-html-'));
    const model = hostileModel();
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtmlReport(model));

    const visit = await visitFile(chromium, file, {
      expressions: ['document.title', 'document.querySelectorAll("svg").length', 'document.querySelectorAll("script, img").length', 'document.getElementById("summary").textContent'],
    });

    expect(visit.problems).toEqual([]);
    const [title, svgs, scriptsOrImages, summary] = visit.evaluated;
    expect(title).toBe(model.title); // the <script> in the file name is the title's text, not a script that renamed it
    expect(svgs).toBeGreaterThanOrEqual(3);
    expect(scriptsOrImages).toBe(0);
    expect(summary).toContain('38 read = 28 sent + 10 invalid');
    // A PNG (its 8-byte signature) of the whole page.
    expect(visit.screenshot.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(visit.screenshot.readUInt32BE(16)).toBe(1100);
    expect(visit.screenshot.readUInt32BE(20)).toBeGreaterThan(800);
    await writeFile(join(dir, 'report.png'), visit.screenshot);
  });
});
