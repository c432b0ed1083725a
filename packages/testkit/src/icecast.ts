import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, requireBinaries, sleep, tempDir } from "./processes.js";

/** A running icecast2 on a private loopback port. */
export interface Icecast {
  port: number;
  /** Password of the "source" user. */
  sourcePassword: string;
  /** Admin user "admin"'s password. */
  adminPassword: string;
  /** Kill the server and remove its temp dir. */
  stop: () => Promise<void>;
}

/**
 * Start icecast2 on a free loopback port with a minimal config in a temp dir
 * (as root it drops to nobody, which icecast requires). Fails with the
 * apt-get line when icecast2 is missing.
 */
export async function startIcecast(): Promise<Icecast> {
  requireBinaries("apt-get install -y icecast2", "icecast2");
  const port = await freePort();
  const tmp = tempDir("grimnir-icecast-");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot
    ? "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
    : "";
  const xml = `<icecast>
  <limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size><burst-size>65536</burst-size><source-timeout>10</source-timeout></limits>
  <authentication><source-password>hackme</source-password><admin-user>admin</admin-user><admin-password>adminpw</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><logdir>${tmp.dir}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>-</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>${owner}</security>
</icecast>`;
  const config = join(tmp.dir, "icecast.xml");
  writeFileSync(config, xml);
  const child = spawn("icecast2", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/status-json.xsl`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`icecast2 exited: ${stderr}`);
    if (i >= 100) throw new Error(`icecast2 did not answer on ${port}: ${stderr}`);
    await sleep(100);
  }
  return {
    port,
    sourcePassword: "hackme",
    adminPassword: "adminpw",
    stop: async () => {
      child.kill("SIGKILL");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("close", r)));
      tmp.remove();
    },
  };
}
