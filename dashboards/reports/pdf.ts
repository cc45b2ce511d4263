// Prints a report's HTML to an A4 PDF with Debian's headless Chromium through playwright-core (which downloads no
// browser): page numbers in the footer, backgrounds printed, the page size and margins from the page's @page rule.
// A missing or unusable Chromium is a ChromiumMissingError, so the command can say so and offer `--format html`.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Arguments Chromium is started with: headless, no sandbox (containers), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Raised when Chromium is not installed at the configured path or cannot start. */
export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
  readonly retriable = false;
  constructor(
    readonly executablePath: string,
    override readonly cause?: unknown,
  ) {
    super(`Chromium is not available at ${executablePath}`);
  }
}

/** Raised when Chromium started but printing failed (a timeout, a crash); retriable. */
export class PdfRenderError extends Error {
  override name = 'PdfRenderError';
  readonly retriable = true;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Options of {@link renderPdf}. */
export interface RenderPdfOptions {
  /** Chromium binary. Default /usr/bin/chromium. */
  executablePath?: string;
  /** Footer label before the page number ("Page" / "Pagina"). */
  pageLabel: string;
  /** Between page number and total ("of" / "van"). */
  ofLabel: string;
  /** Longest wait for loading and printing. Default 60000. */
  timeoutMs?: number;
}

/** The PDF bytes of a self-contained HTML page. */
export async function renderPdf(htmlText: string, options: RenderPdfOptions): Promise<Buffer> {
  const executablePath = options.executablePath ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new ChromiumMissingError(executablePath);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: options.timeoutMs ?? 60_000,
    });
  } catch (err) {
    throw new ChromiumMissingError(executablePath, err);
  }
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 60_000);
    // Nothing is fetched: the report has no remote assets, and any request is refused outright.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(htmlText, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
    const esc = (s: string) =>
      s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    return await page.pdf({
      format: 'A4',
      preferCSSPageSize: true,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8pt;font-family:sans-serif;color:#555;width:100%;text-align:center;">${esc(options.pageLabel)} <span class="pageNumber"></span> ${esc(options.ofLabel)} <span class="totalPages"></span></div>`,
    });
  } catch (err) {
    throw new PdfRenderError('Chromium could not print the report', err);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
