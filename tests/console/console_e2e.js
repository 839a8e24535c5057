// Drives the console in headless Chromium (see e2e_test.sh, which starts the server).
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const URL = process.env.CARNET_URL, DEVICE = process.env.CARNET_DEVICE, SRC = process.env.CARNET_SRC;
const TMP = process.env.CARNET_TMP, SHOTS = process.env.CARNET_SHOTS;
// The forms uploaded through the console: the interview as JSON (devices fill it below), then an
// XLSForm workbook (.xlsx) converted by the server.
const XLSFORM_FILE = path.join(SRC, 'assets/xlsform/enquete_mobilite.xlsx');
const FORM_FILE = process.env.CARNET_FORM_FILE || path.join(SRC, 'assets/forms/door_to_door.json');
const FORM_ID = 'door_to_door';

let passed = 0;
function check(cond, what) {
  if (!cond) throw new Error('FAIL: ' + what);
  passed++;
}
function dev(who, args, input) {
  return execFileSync(DEVICE, ['--data', path.join(TMP, who), '--lang', 'en', '--author', who, ...args],
    { encoding: 'utf8', input: input === undefined ? '' : input }).trim();
}
const sync = (who) => JSON.parse(dev(who, ['sync']));
const record = (who, id) => JSON.parse(dev(who, ['get', id]));

// Sample answers in the shape of the field routes' contract (docs/console.md), served by the
// browser itself: only to check that the charts draw and for the screenshots, until those routes
// are on the server. Everything else in this test talks to the real server.
const SAMPLE = {
  indicators: { by: 'ambassador', groups: [
    { key: 'awa', interviews: 42, volunteers: 31, consents: 28, calls: 96, calls_answered: 27, pickup_rate: 0.28, pairs: 9, km_avoided: 18420, co2_kg: 2345, sessions: { physical: 6, phone: 3, workshop: 1, awareness: 2 } },
    { key: 'ben', interviews: 35, volunteers: 22, consents: 20, calls: 80, calls_answered: 19, pickup_rate: 0.24, pairs: 6, km_avoided: 12300, co2_kg: 1566, sessions: { physical: 4, phone: 5, workshop: 2, awareness: 1 } },
    { key: 'chloé', interviews: 27, volunteers: 19, consents: 17, calls: 61, calls_answered: 20, pickup_rate: 0.33, pairs: 4, km_avoided: 9870, co2_kg: 1257, sessions: { physical: 3, phone: 2, workshop: 3, awareness: 4 } },
    { key: 'léo', interviews: 18, volunteers: 12, consents: 11, calls: 120, calls_answered: 31, pickup_rate: 0.26, pairs: 3, km_avoided: 5210, co2_kg: 663, sessions: { physical: 2, phone: 8, workshop: 0, awareness: 1 } }],
    totals: { interviews: 122, volunteers: 84, consents: 76, calls: 357, calls_answered: 97, pickup_rate: 0.27, pairs: 22, km_avoided: 45800, co2_kg: 5831, sessions: { physical: 15, phone: 18, workshop: 6, awareness: 8 } },
    targets: { physical: 129, phone: 162, workshop: 66, awareness: 92 } },
  walklists: { walklists: [
    { id: 'w1', name: 'Jas de Bouffan – lot 3', assigned_to: 'awa', dwellings: 40, visited: 25, done: 12 },
    { id: 'w2', name: 'Encagnane – bât. B', assigned_to: 'ben', dwellings: 64, visited: 51, done: 38 },
    { id: 'w3', name: 'Gardanne centre', assigned_to: null, dwellings: 28, visited: 0, done: 0 }] },
  calls: { callers: [
    { user: 'léo', open: 12, due_today: 3, done: 40, calls: 55, answered: 14, pickup_rate: 0.25 },
    { user: 'awa', open: 5, due_today: 1, done: 22, calls: 30, answered: 9, pickup_rate: 0.3 }] },
};

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CARNET_CHROMIUM, args: ['--no-sandbox', '--lang=fr-FR'], headless: true,
    env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // Refused requests (a wrong password, a broken form, routes not there yet) are logged by the
  // browser as "Failed to load resource": expected here; script errors are not.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push('console: ' + m.text()); });
  const shot = async (name) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SHOTS, `console-${name}.png`) });
  };
  const go = async (hash, ready) => {
    // The same URL again changes no hash, so it would not render: reload instead.
    if (page.url() === URL + '/' + hash) await page.reload();
    else await page.goto(URL + '/' + hash);
    await page.waitForSelector(ready);
  };

  // Login: a wrong password is refused with a message, the right one opens the dashboard.
  await page.goto(URL + '/');
  await page.waitForSelector('#login-form');
  check(await page.locator('html').getAttribute('lang') === 'fr', 'console starts in French');
  await shot('login');
  await page.fill('#login-user', 'chloe');
  await page.fill('#login-password', 'wrong');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#login-error:not([hidden])');
  check((await page.textContent('#login-error')).includes('incorrect'), 'bad password message');
  await page.fill('#login-password', 'chloe-secret');
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('.page-head h1');
  check((await page.textContent('.page-head h1')) === 'Tableau de bord', 'dashboard after login');
  check(await page.evaluate(() => JSON.parse(sessionStorage.getItem('carnet.session')).user.role) === 'coordinator', 'token kept in sessionStorage');
  // The field routes are not on this server yet: each panel says so, the page still works.
  await page.waitForSelector('[data-unavailable="calls"]');
  check(await page.locator('[data-unavailable]').count() === 3, 'three unavailable panels');
  check((await page.textContent('[data-unavailable="indicators"]')).includes('Indisponible'), 'indisponible text');

  // Forms: a broken file shows where it is wrong; the real one is checked, then published.
  fs.writeFileSync(path.join(TMP, 'broken.json'), '{\n  "id": "x",\n  "version": 1,\n  oops\n}\n');
  await go('#/forms', '#form-file');
  await page.setInputFiles('#form-file', path.join(TMP, 'broken.json'));
  await page.click('#form-check');
  await page.waitForSelector('#form-result .flash.err');
  check((await page.textContent('#form-result')).includes('ligne 4'), 'syntax error with its line');
  await page.setInputFiles('#form-file', FORM_FILE);
  await page.click('#form-check');
  await page.waitForSelector('#form-result .flash.ok');
  check((await page.textContent('#form-result')).includes('valide'), 'form checked');
  await page.click('#form-publish');
  await page.waitForSelector(`tr[data-form^="${FORM_ID}@"]`);
  check((await page.locator(`tr[data-form^="${FORM_ID}@"]`).count()) === 1, 'published version listed');
  await page.setInputFiles('#form-file', XLSFORM_FILE);
  await page.click('#form-check');
  await page.waitForSelector('#form-result .flash.ok');
  check((await page.textContent('#form-result')).includes('valide'), 'XLSForm checked');
  await page.click('#form-publish');
  await page.waitForSelector('tr[data-form^="enquete_mobilite@"]');
  check((await page.locator('tr[data-form^="enquete_mobilite@"]').count()) === 1, 'XLSForm published and listed');

  // Devices log in and get the form; an ambassador collects an interview.
  for (const who of ['awa', 'chloe']) dev(who, ['login', URL, who], `${who}-secret\n`);
  check(sync('awa').forms_installed === 2, 'form reaches the ambassador device');
  check(sync('chloe').forms_installed === 2, 'form reaches the coordinator device');
  fs.writeFileSync(path.join(TMP, 'a1.json'), JSON.stringify({ commune: 'gardanne', issue_visite: 'refus', adresse: '3 rue des Lilas', position: '43.4553 5.4691' }));
  const id = dev('awa', ['import-answers', FORM_ID, path.join(TMP, 'a1.json')]);
  check(sync('awa').pushed >= 1, 'interview pushed');

  // Records: the pushed interview is listed, with its history.
  await go('#/records', 'table');
  await page.waitForSelector(`tr[data-record="${id}"]`);
  await page.fill('#f-author', 'ben');
  await page.click('form.toolbar button[type=submit]');
  await page.waitForSelector('td:has-text("Aucune fiche ne correspond")');
  await page.fill('#f-author', 'awa');
  await page.selectOption('#f-form', FORM_ID);
  await page.click('form.toolbar button[type=submit]');
  await page.waitForSelector(`tr[data-record="${id}"]`);
  check(true, 'records filtered by author and form');
  await shot('records');
  await page.click(`tr[data-record="${id}"]`);
  await page.waitForSelector('.version');
  check((await page.textContent('#page')).includes('Version 1'), 'record history');

  // Two devices change the same field offline: a conflict the coordinator resolves in the console.
  sync('chloe');
  dev('awa', ['set', id, 'adresse', '3 rue des Lilas, bâtiment B']);
  dev('chloe', ['set', id, 'adresse', '3 bis rue des Lilas']);
  sync('awa');
  check(sync('chloe').conflicts >= 1, 'conflict created');
  await go('#/conflicts', `form[data-conflict="${id}"]`);
  await shot('conflicts');
  await page.click(`form[data-conflict="${id}"] label.choice:has-text("bâtiment B")`);
  await page.click(`form[data-conflict="${id}"] button[type=submit]`);
  await page.waitForSelector('#flash .flash.ok');
  check((await page.textContent('#flash')).includes('Conflit résolu'), 'conflict resolved');
  check(await page.locator(`form[data-conflict="${id}"]`).count() === 0, 'conflict gone from the list');
  sync('awa');
  check(record('awa', id).answers.adresse === '3 rue des Lilas, bâtiment B', 'resolution reached the device');
  await go('#/records/' + id, '.version');
  check(await page.locator('.version').count() >= 4, 'history keeps every version, the resolution last');
  check((await page.textContent('.version.current')).includes('chloe'), 'the resolution is the coordinator’s version');
  await shot('record');

  // Devices: last sync and outbox reported by the device.
  await go('#/devices', 'table');
  const devicesText = await page.textContent('table');
  check(devicesText.includes('awa') && devicesText.includes('chloe'), 'devices listed');
  check(await page.locator('td .badge.ok').count() >= 2, 'pending counts reported as 0');
  await shot('devices');

  // Export: the CSV with labels, downloaded from the forms page.
  await go('#/forms', `[data-export="${FORM_ID}.csv?labels=1"]`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${FORM_ID}.csv?labels=1"]`)]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r\n/);
  check(lines.length === 2, 'one record in the CSV: ' + lines.length);
  check(lines[0].startsWith('record_id,'), 'CSV header');
  check(lines[1].startsWith(id + ','), 'CSV row is the record');
  check(lines[1].includes('Gardanne') && lines[1].includes('Refus'), 'CSV has labels');
  check(lines[1].includes('"3 rue des Lilas, bâtiment B"'), 'CSV has the resolved value, quoted');
  await shot('forms');

  // Users: the coordinator creates an ambassador, who can then log in.
  await go('#/users', '#u-name');
  await page.fill('#u-name', 'eve');
  await page.selectOption('#u-role', 'ambassador');
  await page.fill('#u-password', 'eve-secret-1');
  await page.click('form.card button[type=submit]');
  await page.waitForSelector('td:has-text("eve")');
  dev('eve', ['login', URL, 'eve'], 'eve-secret-1\n');
  check(true, 'new user logs in');
  await shot('users');

  // Dashboard and walk lists as they will look once the field routes answer (contract samples).
  await go('#/dashboard', '[data-unavailable="calls"]');
  await shot('dashboard-indisponible');
  for (const [route, body] of Object.entries(SAMPLE))
    await page.route(new RegExp(`/api/v1/${route}(\\?|$)`), (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }));
  await go('#/dashboard', '.kpi');
  check(await page.locator('svg rect').count() >= 8, 'indicator chart drawn');
  check((await page.textContent('.kpi')).includes('122'), 'totals shown');
  await shot('dashboard');
  await go('#/walklists', 'table');
  check((await page.textContent('table')).includes('Jas de Bouffan'), 'walk lists shown');
  await shot('walklists');

  // English toggle.
  await page.click('.sidebar [data-lang-toggle]');
  await page.waitForSelector('.sidebar a[data-page="dashboard"]:has-text("Dashboard")');
  check(await page.locator('html').getAttribute('lang') === 'en', 'English toggle');

  await browser.close();
  check(problems.length === 0, 'no page errors: ' + problems.join('; '));
  console.log(`console e2e: ${passed} checks passed`);
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
