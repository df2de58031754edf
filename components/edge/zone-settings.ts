/**
 * `enclii:edge:ZoneSettings`: TLS hardening of the zone as Cloudflare zone settings: always
 * HTTPS, a minimum TLS version, TLS 1.3, strict origin TLS, and HSTS.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** HSTS as the stack config describes it. */
export interface HstsOptions {
  readonly enabled: boolean;
  readonly maxAgeSeconds: number;
  readonly includeSubdomains: boolean;
  readonly preload: boolean;
}

/** Options of the zone settings. */
export interface ZoneSettingsOptions {
  readonly minTlsVersion: "1.2" | "1.3";
  readonly hsts: HstsOptions;
}

/** One zone setting (`cloudflare.ZoneSetting` `settingId` and `value`). */
export interface ZoneSettingSpec {
  readonly settingId: string;
  readonly value: unknown;
}

/** The settings, in the API's names and value shapes. */
export function renderZoneSettings(o: ZoneSettingsOptions): ZoneSettingSpec[] {
  if (o.hsts.preload && (!o.hsts.includeSubdomains || o.hsts.maxAgeSeconds < 31_536_000)) {
    throw new Error(
      "hsts.preload needs includeSubdomains and maxAgeSeconds of at least 31536000 (browser preload lists)",
    );
  }
  return [
    { settingId: "always_use_https", value: "on" },
    { settingId: "automatic_https_rewrites", value: "on" },
    { settingId: "min_tls_version", value: o.minTlsVersion },
    { settingId: "tls_1_3", value: "on" },
    // cloudflared terminates the origin side; strict keeps Cloudflare from ever accepting a bad origin certificate.
    { settingId: "ssl", value: "strict" },
    {
      settingId: "security_header",
      value: {
        strict_transport_security: {
          enabled: o.hsts.enabled,
          max_age: o.hsts.maxAgeSeconds,
          include_subdomains: o.hsts.includeSubdomains,
          preload: o.hsts.preload,
          nosniff: true,
        },
      },
    },
  ];
}

/** Arguments of {@link ZoneSettings}. */
export interface ZoneSettingsArgs extends ZoneSettingsOptions {
  readonly zoneId: string;
}

/** The zone's TLS settings. */
export class ZoneSettings extends pulumi.ComponentResource {
  constructor(name: string, args: ZoneSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:ZoneSettings", name, {}, opts);
    for (const setting of renderZoneSettings(args)) {
      new cloudflare.ZoneSetting(
        `${name}-${setting.settingId}`,
        { zoneId: args.zoneId, settingId: setting.settingId, value: setting.value },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
