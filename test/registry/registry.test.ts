// The applet registry: every applet package names its profile section and NVM namespace; personalisation
// installs exactly the packages whose section the profile has, and each writes inside its own namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLET_PACKAGES } from '../../applets/registry.js';
import { projectRoot } from '../../host/card-factory.js';
import { personalise } from '../../host/personalise.js';
import { APPLET_SECTIONS } from '../../host/profile/applets.js';
import { appletSections } from '../../host/profile/compile.js';
import { parseProfileText } from '../../host/profile/load.js';

const profileText = (name: string) => readFileSync(join(projectRoot(), 'profiles', name), 'utf8');

describe('applet registry', () => {
  it('each package has a section of the profile format and a namespace of its own', () => {
    const names = new Set(APPLET_PACKAGES.map((p) => p.name));
    expect(names.size).toBe(APPLET_PACKAGES.length);
    for (const p of APPLET_PACKAGES) expect(Object.keys(APPLET_SECTIONS)).toContain(p.section);
    const prefixes = APPLET_PACKAGES.flatMap((p) => p.namespace.map((n) => ({ n, owner: p.name })));
    for (const a of prefixes)
      for (const b of prefixes)
        if (a !== b) expect(a.n.startsWith(b.n), `${a.owner} ${a.n} inside ${b.owner} ${b.n}`).toBe(false);
  });

  for (const file of ['default-usim.yaml', 'm2m-keyslots.yaml', 'examples/usim-isim.yaml']) {
    it(`${file}: installs the packages whose sections are present, each writing only its namespace`, () => {
      const profile = parseProfileText(profileText(file), file);
      const p = personalise(profile);
      const expected = APPLET_PACKAGES.filter((pkg) => appletSections(profile)[pkg.section]);
      expect(p.applets.map((a) => a.name)).toEqual(expected.map((pkg) => pkg.name));
      const own = [...p.spec.nvm.keys()].filter((k) => !profile.spec.nvm.has(k));
      expect(own.length).toBeGreaterThan(0);
      for (const k of own)
        expect(
          APPLET_PACKAGES.some((pkg) => pkg.namespace.some((n) => k.startsWith(n))),
          `record ${k} outside every namespace`,
        ).toBe(true);
    });
  }

  it('a profile without applet sections runs no applet', () => {
    const profile = parseProfileText(profileText('default-usim.yaml'), 'x.yaml');
    const bare = { spec: profile.spec };
    expect(personalise(bare).applets).toEqual([]);
  });
});
