/**
 * Issue #20's proof on real servers: cassandra-medusa with the medusa.ini the stacks render,
 * real Cassandra nodes (127.0.0.41/.42) and moto's S3 API on loopback. Known rows are backed up
 * (full, then differential); `npm run restore` (scripts/backup/restore.ts, through a kubectl
 * stand-in that runs its exec commands as the pod) loads them back with sstableloader into the
 * running node after the table was dropped and recreated empty; then the table is dropped, the node is wiped, the backup is restored in
 * place and into a second, fresh node, and every row is compared (count + SHA-256). The same
 * drill is `npm run drill:restore` (bench/restore-drill), which prints the timings.
 */
import { describe, expect, it } from "vitest";
import { runRestoreDrill, type DrillResult } from "../../../scripts/backup/drill";

describe("backup and restore drill (medusa + moto S3 + real Cassandra)", () => {
  let r: DrillResult;

  it("backs up, loses the data, and restores every row with npm run restore, in place and into a fresh node", async () => {
    r = await runRestoreDrill({ rows: 3000, moreRows: 500, log: (l) => console.log(`[drill] ${l}`) });
    expect(r.rows).toBe(3500);
    // The data was really gone before the restore: table dropped, then the node wiped.
    expect(r.rowsAfterDrop).toBe(0);
    expect(r.keyspaceAfterWipe).toBe(false);
    // npm run restore: the table was really empty, sstableloader really ran (as the Secret's login), every row is back.
    expect(r.runningCluster.rowsBefore).toBe(0);
    expect({ rows: r.runningCluster.rows, checksum: r.runningCluster.checksum }).toEqual({ rows: r.rows, checksum: r.checksum });
    expect(r.runningCluster.loaderRuns).toEqual([expect.stringMatching(/^pod=cassandra-drill-0 user=drill_superuser dir=rows-[0-9a-f]{32}$/)]);
    expect({ rows: r.inPlace.rows, checksum: r.inPlace.checksum }).toEqual({ rows: r.rows, checksum: r.checksum });
    expect({ rows: r.freshNode.rows, checksum: r.freshNode.checksum }).toEqual({ rows: r.rows, checksum: r.checksum });
  }, 900_000);

  it("the second backup is differential: it uploads only the new SSTables and reuses the rest", () => {
    expect(r.differentialBackup.keptFiles).toBeGreaterThan(0);
    expect(r.differentialBackup.uploadedFiles).toBeLessThan(r.fullBackup.uploadedFiles);
    expect(r.differentialBackup.bucketBytes).toBeGreaterThan(r.fullBackup.bucketBytes);
  });
});
