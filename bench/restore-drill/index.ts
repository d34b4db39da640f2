/**
 * `npm run drill:restore`: the backup/restore drill (scripts/backup/drill.ts) against real
 * Cassandra nodes, real cassandra-medusa (and sstableloader for `npm run restore`) and moto's S3 server on loopback. Prints each step,
 * then one JSON line: rows, how long the backups and restores took and how many MB they moved.
 *   DRILL_ROWS (20000) rows of ~1 KiB before the full backup, DRILL_MORE_ROWS (2000) before the differential one.
 */
import { runRestoreDrill } from "../../scripts/backup/drill";

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

async function main(): Promise<void> {
  const r = await runRestoreDrill({ rows: Number(process.env.DRILL_ROWS ?? 20_000), moreRows: Number(process.env.DRILL_MORE_ROWS ?? 2_000) });
  const ok = r.runningCluster.rowsBefore === 0 && r.runningCluster.rows === r.rows && r.runningCluster.checksum === r.checksum && r.inPlace.rows === r.rows && r.inPlace.checksum === r.checksum && r.freshNode.rows === r.rows && r.freshNode.checksum === r.checksum;
  console.log(
    JSON.stringify({
      bench: "restore-drill",
      ok,
      rows: r.rows,
      full_backup_s: r.fullBackup.seconds,
      full_backup_mb: mb(r.fullBackup.bucketBytes),
      diff_backup_s: r.differentialBackup.seconds,
      diff_backup_new_files: r.differentialBackup.uploadedFiles,
      diff_backup_kept_files: r.differentialBackup.keptFiles,
      diff_backup_added_mb: mb(r.differentialBackup.bucketBytes - r.fullBackup.bucketBytes),
      restore_running_sstableloader_s: r.runningCluster.seconds,
      restore_in_place_s: r.inPlace.seconds,
      restore_fresh_node_s: r.freshNode.seconds,
      restored_mb: mb(r.differentialBackup.bucketBytes),
    }),
  );
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
