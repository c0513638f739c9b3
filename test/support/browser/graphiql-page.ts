import type { Page } from 'playwright-core';
import { until } from './until';

/**
 * The GraphiQL page as a user sees it: the sign-in bar, the tabs, the editors and the result.
 * Editors are CodeMirror 5 instances, read through the `CodeMirror` property of their element
 * (the text on screen holds only the lines in view).
 */
export class GraphiqlPage {
  constructor(readonly page: Page) {}

  static readonly EDITORS = {
    query: '.graphiql-query-editor .CodeMirror',
    variables: '.graphiql-editor-tool .graphiql-editor:nth-of-type(1) .CodeMirror',
    headers: '.graphiql-editor-tool .graphiql-editor:nth-of-type(2) .CodeMirror',
    result: '.result-window .CodeMirror',
  } as const;

  /** The GraphiQL page is up: its editors exist and the bar says who is signed in, or how to sign in. */
  async loaded(): Promise<void> {
    await this.page.locator(GraphiqlPage.EDITORS.query).waitFor();
    await this.page.locator('#careslot-viewer, #careslot-session code').first().waitFor();
  }

  /** The email (or kind) the bar shows as signed in. */
  signedInAs(): Promise<string> {
    return this.page.locator('#careslot-viewer').innerText();
  }

  sessionBarText(): Promise<string> {
    return this.page.locator('#careslot-session').innerText();
  }

  async signOut(): Promise<void> {
    await Promise.all([this.page.waitForEvent('load'), this.page.locator('#careslot-sign-out').click()]);
    await this.loaded();
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.loaded();
  }

  async tabTitles(): Promise<string[]> {
    return (await this.page.locator('.graphiql-tab-button').allInnerTexts()).map((title) => title.trim());
  }

  async activeTabTitle(): Promise<string> {
    return (await this.page.locator('.graphiql-tab-active .graphiql-tab-button').innerText()).trim();
  }

  async selectTab(title: string): Promise<void> {
    await this.page.locator('.graphiql-tab-button', { hasText: title }).click();
    await this.page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: title }).waitFor();
    await this.untilEditor('query', (text) => text.includes(title), `the query of ${title}`);
  }

  async addTab(): Promise<void> {
    const count = (await this.tabTitles()).length;
    await this.page.getByRole('button', { name: 'Add tab' }).click();
    await this.page.locator('.graphiql-tab-button').nth(count).waitFor();
  }

  /** Runs the active tab (or stops its running subscription) with the ▶ button. */
  async run(): Promise<void> {
    await this.page.locator('.graphiql-execute-button').click();
  }

  /**
   * Pastes the text over the query editor's and presses ▶ in the same instant (one task of the
   * page), before GraphiQL's editor has parsed what was pasted: the fastest user there is.
   */
  async pasteAndRunAtOnce(text: string): Promise<void> {
    await this.page.evaluate(([editorSelector, pasted]) => {
      const { document } = globalThis as unknown as DomGlobals;
      const editor = (document.querySelector(editorSelector) as CodeMirrorHost).CodeMirror;
      editor.execCommand('selectAll');
      editor.replaceSelection(pasted, 'end', 'paste');
      (document.querySelector('.graphiql-execute-button') as { click(): void }).click();
    }, [GraphiqlPage.EDITORS.query, text] as const);
  }

  editor(name: keyof typeof GraphiqlPage.EDITORS): Promise<string> {
    return this.page.evaluate((selector) => {
      const host = (globalThis as unknown as DomGlobals).document.querySelector(selector) as CodeMirrorHost | null;
      return host ? host.CodeMirror.getValue() : '';
    }, GraphiqlPage.EDITORS[name]);
  }

  /** Pastes the text over the headers editor's (opening the Headers tool first). */
  async pasteHeaders(text: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Headers', exact: true }).click();
    await this.page.locator(GraphiqlPage.EDITORS.headers).waitFor();
    await this.page.evaluate(([editorSelector, pasted]) => {
      const editor = ((globalThis as unknown as DomGlobals).document.querySelector(editorSelector) as CodeMirrorHost).CodeMirror;
      editor.execCommand('selectAll');
      editor.replaceSelection(pasted, 'end', 'paste');
    }, [GraphiqlPage.EDITORS.headers, text] as const);
  }

  /** The kind of the first operation GraphiQL itself has parsed from the query editor (it lags 100 ms behind the text). */
  parsedOperation(): Promise<string | undefined> {
    return this.page.evaluate((selector) => {
      const host = (globalThis as unknown as DomGlobals).document.querySelector(selector) as CodeMirrorHost | null;
      return host?.CodeMirror.documentAST?.definitions[0]?.operation;
    }, GraphiqlPage.EDITORS.query);
  }

  /** Waits until the editor's text satisfies the predicate; returns that text. */
  untilEditor(name: keyof typeof GraphiqlPage.EDITORS, predicate: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string> {
    return until(() => this.editor(name), predicate, `${what} in the ${name} editor`, timeoutMs);
  }

  /** The JSON of the result pane once it shows an answer that satisfies the predicate. */
  async untilResult<T = any>(predicate: (result: T) => boolean, what: string, timeoutMs?: number): Promise<T> {
    const text = await this.untilEditor('result', (shown) => {
      const result = parseJson<T>(shown);
      return result !== undefined && predicate(result);
    }, what, timeoutMs);
    return JSON.parse(text) as T;
  }

  /** The width and height of an image at the URL, as the page's browser decodes it. */
  imageSize(url: string): Promise<[number, number]> {
    return this.page.evaluate(async (source) => {
      const image = new (globalThis as unknown as { Image: new () => DecodedImage }).Image();
      image.src = source;
      await image.decode();
      return [image.naturalWidth, image.naturalHeight] as [number, number];
    }, url);
  }

  /** Everything the page keeps in the browser's storage, by key. */
  storage(kind: 'localStorage' | 'sessionStorage'): Promise<Record<string, string>> {
    return this.page.evaluate((which) => {
      const store = (globalThis as unknown as DomGlobals)[which];
      return Object.fromEntries(Object.keys(store).map((key) => [key, store.getItem(key) ?? '']));
    }, kind);
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The little of the DOM the page functions above use (the tests compile without the DOM types). */
interface DomGlobals {
  document: { querySelector(selector: string): unknown };
  localStorage: BrowserStorage;
  sessionStorage: BrowserStorage;
}

interface BrowserStorage {
  getItem(key: string): string | null;
  [key: string]: unknown;
}

interface DecodedImage {
  src: string;
  decode(): Promise<void>;
  naturalWidth: number;
  naturalHeight: number;
}

interface CodeMirrorHost {
  CodeMirror: {
    getValue(): string;
    execCommand(command: string): void;
    replaceSelection(text: string, select: string, origin: string): void;
    /** Set by GraphiQL when it has parsed the text. */
    documentAST?: { definitions: Array<{ operation?: string }> } | null;
  };
}
