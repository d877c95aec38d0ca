// What an applet package declares so that the card OS and the profile loader find it without knowing it:
// the profile section that configures it, the NVM namespace it owns, the ADF it rides on (by AID prefix),
// the codecs of its EFs, and how it installs itself (its initial NVM records and the Applet the card runs). Reset hooks and the
// service table are part of the Applet itself (card-os/applet.ts). The list of packages is
// applets/registry.ts.

import type { Applet } from './applet.js';
import type { Bytes } from './bytes.js';
import { equal } from './bytes.js';
import type { EfCodec } from './ef-codec.js';
import type { FileSpec } from './fs/model.js';

/** The card being built, as a package's `install` sees it. */
export interface AppletInstallTarget {
  /** The profile's file tree. */
  readonly mf: FileSpec;
  /** The card's initial NVM records; a package writes under its own namespace only. */
  readonly nvm: Map<string, Bytes>;
  /** Applets installed before this one, by package name (the OTA applet finds the USIM's AID there). */
  readonly installed: ReadonlyMap<string, Applet>;
  /** Every applet section of the profile, validated (key slots read `subscriber` and `ota`). */
  readonly sections: Readonly<Record<string, unknown>>;
  /**
   * The AID of each application ADF of this profile, by the application name (`applicationName`) of the
   * package that declares its AID prefix: the OTA applet starts remote commands there (TS 102 226 §6).
   */
  readonly applications: ReadonlyMap<string, Bytes>;
}

export interface AppletPackage<Config = never> {
  /** The name of the applet it installs (`Applet.name`). */
  readonly name: string;
  /** The profile section that configures the applet; without it the applet is not installed. */
  readonly section: string;
  /** NVM key prefixes the applet owns (secrets under "secret/"). */
  readonly namespace: readonly string[];
  /** AID prefix (RID + application code) of the ADF the applet rides on, for file-system applications. */
  readonly adfAid?: Bytes;
  /** Codecs of the EFs in its ADF (the host's codec lookup takes them from the registry; needs `adfAid`). */
  readonly codecs?: readonly EfCodec[];
  /** Writes the applet's initial records into `target.nvm` and returns the applet, or nothing to skip it. */
  install(config: Config, target: AppletInstallTarget): Applet | undefined;
}

/** The name that refers to a package's application (e.g. an OTA TAR's context): its name in lower case. */
export function applicationName(p: Pick<AppletPackage<unknown>, 'name'>): string {
  return p.name.toLowerCase();
}

/** The first ADF directly under the MF whose AID starts with `prefix` (TS 102 221 §8.4: ADFs by AID). */
export function adfByAidPrefix(mf: FileSpec, prefix: Bytes): FileSpec | undefined {
  return mf.children.find(
    (f) =>
      f.type === 'ADF' &&
      f.aid &&
      f.aid.length >= prefix.length &&
      equal(f.aid.subarray(0, prefix.length), prefix),
  );
}
