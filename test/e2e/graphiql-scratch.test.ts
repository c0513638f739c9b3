import { seedDemoData } from '../../src/demo/seed-demo-data';
import { startTestServer } from '../helpers/test-server';
import { launchChromium } from '../support/browser/chromium';

it('screenshots', async () => {
  const server = await startTestServer();
  const demo = await seedDemoData(server.server);
  const browser = await launchChromium();
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme });
    await page.goto(`${server.url}/graphiql`);
    await page.waitForSelector('#careslot-session code');
    await page.waitForTimeout(800);
    await page.screenshot({ path: `/tmp/out-${colorScheme}.png` });
    await page.goto(`${server.url}/graphiql#token=${demo.admins[1]!.token}`);
    await page.waitForSelector('#careslot-viewer');
    await page.locator('.graphiql-execute-button').click();
    await page.waitForTimeout(800);
    await page.screenshot({ path: `/tmp/in-${colorScheme}.png` });
    await page.close();
  }
  await browser.close();
  await server.close();
}, 60000);
