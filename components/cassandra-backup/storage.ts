/**
 * The region's backup bucket and the IAM role the medusa sidecars assume through IRSA.
 * Retention is medusa's purge, not the bucket's: a differential backup reuses SSTables uploaded
 * by earlier backups, so expiring live objects by age would break newer backups. The lifecycle
 * only expires noncurrent versions (what a purge deleted, kept a while as an undo window) and
 * abandoned multipart uploads.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface BackupBucketArgs {
  /** Days a deleted/overwritten object stays as a noncurrent version. */
  readonly noncurrentRetentionDays: number;
}

export function createBackupBucket(name: string, args: BackupBucketArgs, parent: pulumi.Resource): aws.s3.Bucket {
  const opts = { parent };
  // Never destroyed with objects in it: a stack teardown must not take the backups along.
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false }, { ...opts, protect: true });
  new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  new aws.s3.BucketPublicAccessBlock(name, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
  new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        { id: "expire-purged-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: args.noncurrentRetentionDays } },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
      ],
    },
    opts,
  );
  // Plain HTTP refused: backups only travel over TLS.
  new aws.s3.BucketPolicy(
    name,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    opts,
  );
  return bucket;
}

export interface IrsaRoleArgs {
  /** ARN of the EKS cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  readonly namespace: string;
  /** The ServiceAccount allowed to assume the role. */
  readonly serviceAccountName: string;
  readonly bucket: aws.s3.Bucket;
}

/** `arn:aws:iam::1:oidc-provider/oidc.eks.r.amazonaws.com/id/X` → `oidc.eks.r.amazonaws.com/id/X`. */
export function oidcIssuer(providerArn: string): string {
  const i = providerArn.indexOf(":oidc-provider/");
  if (i < 0) throw new Error(`not an IAM OIDC provider ARN: ${providerArn}`);
  return providerArn.slice(i + ":oidc-provider/".length);
}

/** A role only the one ServiceAccount can assume (web identity), allowed only this bucket. */
export function createIrsaRole(name: string, args: IrsaRoleArgs, parent: pulumi.Resource): aws.iam.Role {
  const issuer = oidcIssuer(args.oidcProviderArn);
  const role = new aws.iam.Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: args.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccountName}`,
                [`${issuer}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      }),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    name,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: args.bucket.arn },
          {
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: pulumi.interpolate`${args.bucket.arn}/*`,
          },
        ],
      }),
    },
    { parent },
  );
  return role;
}
