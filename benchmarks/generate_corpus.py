"""Generate a realistic infrastructure-as-code corpus for the benchmarks.

    python3 benchmarks/generate_corpus.py OUT --files 1000 --seed 1

Writes about ``--files`` files under OUT (deterministic for a seed): Terraform module
directories (IAM modules with roles, policy documents, users, groups, attachments,
locals and variables; and many more non-IAM modules: VPCs, buckets, functions, queues,
databases), examples and environments that call them (locally and from the registry),
CloudFormation and SAM templates (some with IAM, many without), and the files that sit
beside IaC in a real repository (README, scripts, package.json, Kubernetes manifests,
policy JSON, tfvars). Only the standard library is used, so the test suite can call it.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SERVICES = ["s3", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "ec2", "ecr", "ssm"]
ACTIONS = {
    "s3": ["GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketLocation"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "UpdateItem", "BatchWriteItem"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"],
    "sns": ["Publish", "Subscribe", "ListTopics"],
    "lambda": ["InvokeFunction", "GetFunction", "UpdateFunctionCode"],
    "logs": ["CreateLogGroup", "CreateLogStream", "PutLogEvents"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances", "CreateTags"],
    "ecr": ["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer"],
    "ssm": ["GetParameter", "GetParameters", "GetParametersByPath"],
}
NOUNS = ["app", "api", "worker", "billing", "orders", "search", "ingest", "audit", "web", "etl"]
NOUNS += ["reports", "media", "auth", "payments", "catalog", "events", "metrics", "backup"]
ENVS = ["dev", "staging", "prod", "sandbox", "qa"]


class Corpus:
    def __init__(self, root: Path, files: int, seed: int) -> None:
        self.root = root
        self.budget = files
        self.written = 0
        self.rnd = random.Random(seed)

    # -- small helpers ---------------------------------------------------------------

    def write(self, relative: str, text: str) -> None:
        if self.written >= self.budget:
            return
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written += 1

    def full(self) -> bool:
        return self.written >= self.budget

    def name(self) -> str:
        return f"{self.rnd.choice(NOUNS)}-{self.rnd.choice(NOUNS)}"

    def ident(self) -> str:
        return self.name().replace("-", "_")

    def action(self, wildcard: float = 0.05) -> str:
        service = self.rnd.choice(SERVICES)
        roll = self.rnd.random()
        if roll < wildcard / 3:
            return "*"
        if roll < wildcard:
            return f"{service}:*"
        if roll < wildcard * 2:
            return f"{service}:Get*"
        return f"{service}:{self.rnd.choice(ACTIONS[service])}"

    def actions(self, count: int | None = None, wildcard: float = 0.05) -> list[str]:
        n = count or self.rnd.randint(1, 5)
        return sorted({self.action(wildcard) for _ in range(n)})

    def tags(self, indent: str = "  ") -> str:
        keys = self.rnd.sample(["Team", "CostCenter", "Owner", "Service", "Tier", "Backup"], 3)
        body = "\n".join(f'{indent}  {k:<10} = "{self.rnd.choice(NOUNS)}"' for k in keys)
        return f"{indent}tags = merge(var.tags, {{\n{body}\n{indent}}})\n"

    # -- Terraform: non-IAM noise ------------------------------------------------------

    def tf_noise_resource(self) -> str:
        kind = self.rnd.choice(
            ["vpc", "subnets", "bucket", "function", "queue", "table", "sg", "alarm", "rds", "ecs"]
        )
        n = self.ident()
        if kind == "vpc":
            return (
                f'resource "aws_vpc" "{n}" {{\n  count                = var.create_vpc ? 1 : 0\n'
                f"  cidr_block           = var.cidr\n  enable_dns_hostnames = true\n"
                f"  enable_dns_support   = var.enable_dns_support\n{self.tags()}}}\n\n"
                f'resource "aws_internet_gateway" "{n}" {{\n'
                f"  count  = var.create_vpc && var.create_igw ? 1 : 0\n"
                f"  vpc_id = aws_vpc.{n}[0].id\n{self.tags()}}}\n"
            )
        if kind == "subnets":
            return (
                f'resource "aws_subnet" "{n}" {{\n  count = length(var.private_subnets)\n\n'
                f"  vpc_id            = local.vpc_id\n"
                f'  cidr_block        = element(concat(var.private_subnets, [""]), count.index)\n'
                f"  availability_zone = element(var.azs, count.index)\n\n"
                f"  tags = merge(\n    {{\n      Name = format(\n"
                f'        "${{var.name}}-private-%s",\n        element(var.azs, count.index),\n'
                f"      )\n    }},\n    var.tags,\n    var.private_subnet_tags,\n  )\n}}\n\n"
                f'resource "aws_route_table_association" "{n}" {{\n'
                f"  count          = length(var.private_subnets)\n"
                f"  subnet_id      = element(aws_subnet.{n}[*].id, count.index)\n"
                f"  route_table_id = element(aws_route_table.private[*].id, count.index)\n}}\n"
            )
        if kind == "bucket":
            return (
                f'resource "aws_s3_bucket" "{n}" {{\n  bucket        = "${{var.prefix}}-{n}"\n'
                f"  force_destroy = var.force_destroy\n{self.tags()}}}\n\n"
                f'resource "aws_s3_bucket_versioning" "{n}" {{\n  bucket = aws_s3_bucket.{n}.id\n'
                f'  versioning_configuration {{\n    status = "Enabled"\n  }}\n}}\n\n'
                f'resource "aws_s3_bucket_server_side_encryption_configuration" "{n}" {{\n'
                f"  bucket = aws_s3_bucket.{n}.id\n  rule {{\n"
                f"    apply_server_side_encryption_by_default {{\n"
                f'      sse_algorithm     = "aws:kms"\n      kms_master_key_id = var.kms_key_arn\n'
                f"    }}\n  }}\n}}\n\n"
                f'resource "aws_s3_bucket_lifecycle_configuration" "{n}" {{\n'
                f'  bucket = aws_s3_bucket.{n}.id\n\n  dynamic "rule" {{\n'
                f"    for_each = var.lifecycle_rules\n    content {{\n"
                f"      id     = rule.value.id\n"
                f'      status = try(rule.value.enabled, true) ? "Enabled" : "Disabled"\n'
                f'      expiration {{\n        days = lookup(rule.value, "days", 90)\n'
                f"      }}\n    }}\n  }}\n}}\n"
            )
        if kind == "function":
            return (
                f'resource "aws_lambda_function" "{n}" {{\n  function_name = "${{var.name}}-{n}"\n'
                f"  role          = var.lambda_role_arn\n"
                f'  handler       = "index.handler"\n  runtime       = "python3.12"\n'
                f"  memory_size   = {self.rnd.choice([128, 256, 512, 1024])}\n"
                f"  timeout       = {self.rnd.randint(3, 900)}\n"
                f"  filename      = data.archive_file.{n}.output_path\n\n"
                f"  environment {{\n    variables = {{\n      TABLE = var.table_name\n"
                f'      STAGE = var.stage\n      LOG_LEVEL = "INFO"\n    }}\n  }}\n\n'
                f"  vpc_config {{\n    subnet_ids         = var.subnet_ids\n"
                f"    security_group_ids = [aws_security_group.{n}.id]\n  }}\n{self.tags()}}}\n\n"
                f'data "archive_file" "{n}" {{\n  type        = "zip"\n'
                f'  source_dir  = "${{path.module}}/src"\n'
                f'  output_path = "${{path.module}}/build/{n}.zip"\n}}\n\n'
                f'resource "aws_security_group" "{n}" {{\n  name_prefix = "{n}-"\n'
                f"  vpc_id      = var.vpc_id\n\n  egress {{\n    from_port   = 0\n"
                f'    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n'
                f"  }}\n\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
            )
        if kind == "queue":
            return (
                f'resource "aws_sqs_queue" "{n}" {{\n  name                       = "{n}"\n'
                f"  visibility_timeout_seconds = {self.rnd.randint(30, 900)}\n"
                f"  message_retention_seconds  = 1209600\n"
                f"  redrive_policy = jsonencode({{\n"
                f"    deadLetterTargetArn = aws_sqs_queue.{n}_dlq.arn\n"
                f"    maxReceiveCount     = 5\n  }})\n{self.tags()}}}\n\n"
                f'resource "aws_sqs_queue" "{n}_dlq" {{\n  name = "{n}-dlq"\n}}\n\n'
                f'resource "aws_sns_topic" "{n}" {{\n  name              = "{n}"\n'
                f'  kms_master_key_id = "alias/aws/sns"\n}}\n\n'
                f'resource "aws_sns_topic_subscription" "{n}" {{\n'
                f"  topic_arn = aws_sns_topic.{n}.arn\n"
                f'  protocol  = "sqs"\n  endpoint  = aws_sqs_queue.{n}.arn\n}}\n'
            )
        if kind == "table":
            attrs = "\n".join(
                f'  attribute {{\n    name = "{a}"\n    type = "S"\n  }}\n'
                for a in self.rnd.sample(["pk", "sk", "gsi1pk", "gsi1sk", "owner"], 3)
            )
            return (
                f'resource "aws_dynamodb_table" "{n}" {{\n  name         = "${{var.name}}-{n}"\n'
                f'  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "pk"\n'
                f'  range_key    = "sk"\n\n{attrs}\n  point_in_time_recovery {{\n'
                f"    enabled = true\n  }}\n\n  server_side_encryption {{\n    enabled = true\n"
                f"  }}\n{self.tags()}}}\n"
            )
        if kind == "sg":
            rules = "".join(
                f'\n  ingress {{\n    description = "{self.rnd.choice(NOUNS)}"\n'
                f"    from_port   = {p}\n    to_port     = {p}\n"
                f'    protocol    = "tcp"\n    cidr_blocks = var.allowed_cidrs\n  }}\n'
                for p in self.rnd.sample([22, 80, 443, 5432, 6379, 8080, 9200], 3)
            )
            return (
                f'resource "aws_security_group" "{n}" {{\n  name        = "{n}"\n'
                f'  description = "Managed by Terraform"\n  vpc_id      = var.vpc_id\n'
                f"{rules}{self.tags()}}}\n"
            )
        if kind == "alarm":
            return (
                f'resource "aws_cloudwatch_metric_alarm" "{n}" {{\n'
                f"  for_each            = var.alarms\n"
                f'  alarm_name          = "${{var.name}}-${{each.key}}"\n'
                f'  comparison_operator = "GreaterThanOrEqualToThreshold"\n'
                f'  evaluation_periods  = lookup(each.value, "periods", 2)\n'
                f'  metric_name         = each.value.metric\n  namespace           = "AWS/Lambda"\n'
                f"  period              = 60\n"
                f'  statistic           = "Sum"\n  threshold           = each.value.threshold\n'
                f"  alarm_actions       = [aws_sns_topic.alerts.arn]\n}}\n\n"
                f'resource "aws_cloudwatch_log_group" "{n}" {{\n'
                f'  name              = "/aws/lambda/${{var.name}}"\n'
                f"  retention_in_days = var.log_retention_days\n  kms_key_id        = var.kms_key_arn\n}}\n"
            )
        if kind == "rds":
            return (
                f'resource "aws_db_instance" "{n}" {{\n  identifier        = "${{var.name}}-{n}"\n'
                f'  engine            = "postgres"\n  engine_version    = "16.3"\n'
                f"  instance_class    = var.instance_class\n  allocated_storage = 100\n"
                f"  storage_encrypted = true\n  username          = var.username\n"
                f"  password          = random_password.{n}.result\n"
                f"  db_subnet_group_name   = aws_db_subnet_group.{n}.name\n"
                f"  vpc_security_group_ids = [aws_security_group.db.id]\n"
                f'  backup_retention_period = var.environment == "prod" ? 30 : 7\n'
                f'  skip_final_snapshot     = var.environment != "prod"\n{self.tags()}}}\n\n'
                f'resource "random_password" "{n}" {{\n  length  = 32\n  special = false\n}}\n\n'
                f'resource "aws_db_subnet_group" "{n}" {{\n  name       = "{n}"\n'
                f"  subnet_ids = var.subnet_ids\n}}\n"
            )
        return (
            f'resource "aws_ecs_service" "{n}" {{\n  name            = "{n}"\n'
            f"  cluster         = var.cluster_id\n"
            f"  task_definition = aws_ecs_task_definition.{n}.arn\n"
            f"  desired_count   = var.desired_count\n\n  network_configuration {{\n"
            f"    subnets         = var.subnet_ids\n    security_groups = var.security_groups\n"
            f"  }}\n}}\n\n"
            f'resource "aws_ecs_task_definition" "{n}" {{\n  family = "{n}"\n'
            f"  container_definitions = jsonencode([\n    {{\n"
            f'      name      = "{n}"\n      image     = "${{var.image}}:${{var.tag}}"\n'
            f"      cpu       = 256\n      memory    = 512\n      essential = true\n"
            f"      portMappings = [{{ containerPort = 8080, hostPort = 8080 }}]\n"
            f"    }}\n  ])\n  execution_role_arn = var.execution_role_arn\n}}\n"
        )

    def tf_variables(self, names: list[str]) -> str:
        blocks = []
        for name in names:
            if name in self.TYPED_VARIABLES:  # used where the type matters, as in real modules
                kind, choices = self.TYPED_VARIABLES[name]
                default = self.rnd.choice(choices)
            else:
                kind = self.rnd.choice(["string", "number", "bool", "list(string)", "map(string)"])
                default = {
                    "string": f'"{self.rnd.choice(NOUNS)}"',
                    "number": str(self.rnd.randint(1, 100)),
                    "bool": self.rnd.choice(["true", "false"]),
                    "list(string)": "[]",
                    "map(string)": "{}",
                }[kind]
            blocks.append(
                f'variable "{name}" {{\n  description = "The {name.replace("_", " ")} to use"\n'
                f"  type        = {kind}\n  default     = {default}\n}}\n"
            )
        if self.rnd.random() < 0.3:
            blocks.append(
                'variable "lifecycle_rules" {\n  description = "Lifecycle rules"\n'
                "  type = list(object({\n    id      = string\n    enabled = optional(bool, true)\n"
                "    days    = optional(number)\n  }))\n  default = []\n\n  validation {\n"
                "    condition     = length(var.lifecycle_rules) < 100\n"
                '    error_message = "At most 100 rules."\n  }\n}\n'
            )
        return "\n".join(blocks)

    TYPED_VARIABLES = {
        "name_prefix": ("string", ['""', '"app-"', '"svc-"']),
        "max_session_duration": ("number", ["3600", "7200", "43200"]),
        "create_role": ("bool", ["true", "false"]),
        "users": ("list(string)", ["[]", '["deploy"]']),
        "tags": ("map(string)", ["{}"]),
        "permissions_boundary": ("string", ["null"]),
        "resource_arns": ("list(string)", ['["*"]', '["arn:aws:s3:::data/*"]']),
        "bucket": ("string", ['"data"', '"reports"']),
        "region": ("string", ['"eu-west-1"', '"us-east-1"']),
        "extra_statements": ("list(any)", ["[]"]),
        "buckets": ("list(string)", ["[]", '["logs"]']),
        "queue": ("string", ['"jobs"']),
        "policy_arns": ("list(string)", ["[]"]),
        "sso_instance_arn": ("string", ['"arn:aws:sso:::instance/ssoins-1"']),
    }

    NOISE_VARIABLES = [
        "name", "tags", "cidr", "create_vpc", "create_igw", "enable_dns_support", "azs",
        "private_subnets", "public_subnets", "private_subnet_tags", "prefix", "force_destroy",
        "kms_key_arn", "lambda_role_arn", "table_name", "stage", "subnet_ids", "vpc_id",
        "allowed_cidrs", "alarms", "log_retention_days", "instance_class", "username",
        "environment", "cluster_id", "desired_count", "security_groups", "image", "tag",
        "execution_role_arn",
    ]  # fmt: skip

    def tf_outputs(self, resources: list[str]) -> str:
        return "\n".join(
            f'output "{r.replace(".", "_")}_id" {{\n  description = "The id of {r}"\n'
            f"  value       = try({r}[0].id, {r}.id, null)\n}}\n"
            for r in resources
        )

    def tf_versions(self) -> str:
        return (
            'terraform {\n  required_version = ">= 1.3"\n\n  required_providers {\n'
            '    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.0"\n'
            "    }\n  }\n}\n"
        )

    def noise_module(self, directory: str) -> None:
        files = {
            "main.tf": "".join(
                self.tf_noise_resource() + "\n" for _ in range(self.rnd.randint(4, 12))
            ),
            "variables.tf": self.tf_variables(self.NOISE_VARIABLES),
            "outputs.tf": self.tf_outputs([f"aws_vpc.{self.ident()}" for _ in range(3)]),
            "versions.tf": self.tf_versions(),
        }
        if self.rnd.random() < 0.5:
            files["network.tf"] = "".join(self.tf_noise_resource() + "\n" for _ in range(4))
        if self.rnd.random() < 0.4:
            files["locals.tf"] = (
                'locals {\n  vpc_id = try(aws_vpc.this[0].id, "")\n'
                '  common_tags = merge(var.tags, { Module = "network" })\n'
                "  azs = slice(var.azs, 0, min(length(var.azs), 3))\n}\n"
            )
        for name, text in files.items():
            self.write(f"{directory}/{name}", text)

    # -- Terraform: IAM ------------------------------------------------------------------

    def policy_document(self, name: str) -> str:
        statements = []
        for index in range(self.rnd.randint(1, 4)):
            actions = ", ".join(f'"{a}"' for a in self.actions())
            resource = self.rnd.choice(
                ['"*"', "var.resource_arns", f'"arn:aws:s3:::${{var.bucket}}/{index}/*"']
            )
            resources = resource if resource.startswith("var.") else f"[{resource}]"
            condition = ""
            if self.rnd.random() < 0.3:
                condition = (
                    '\n    condition {\n      test     = "StringEquals"\n'
                    '      variable = "aws:RequestedRegion"\n      values   = [var.region]\n    }\n'
                )
            statements.append(
                f'  statement {{\n    sid       = "S{index}"\n    effect    = "Allow"\n'
                f"    actions   = [{actions}]\n    resources = {resources}\n{condition}  }}\n"
            )
        dynamic = ""
        if self.rnd.random() < 0.3:
            dynamic = (
                '\n  dynamic "statement" {\n    for_each = var.extra_statements\n'
                "    content {\n      sid       = statement.value.sid\n"
                "      actions   = statement.value.actions\n"
                '      resources = lookup(statement.value, "resources", ["*"])\n    }\n  }\n'
            )
        return f'data "aws_iam_policy_document" "{name}" {{\n{"".join(statements)}{dynamic}}}\n'

    def assume_document(self, name: str) -> str:
        service = self.rnd.choice(["lambda", "ec2", "ecs-tasks", "states", "events"])
        return (
            f'data "aws_iam_policy_document" "{name}" {{\n  statement {{\n'
            f'    actions = ["sts:AssumeRole"]\n\n    principals {{\n'
            f'      type        = "Service"\n      identifiers = ["{service}.amazonaws.com"]\n'
            f"    }}\n  }}\n}}\n"
        )

    def iam_role(self, n: str) -> str:
        session = self.rnd.choice(["3600", "var.max_session_duration", "43200", None])
        session_line = f"  max_session_duration = {session}\n" if session else ""
        text = (
            self.assume_document(f"{n}_assume")
            + "\n"
            + f'resource "aws_iam_role" "{n}" {{\n  count = var.create_role ? 1 : 0\n\n'
            f'  name                 = "${{var.name_prefix}}{n}"\n'
            f"  assume_role_policy   = data.aws_iam_policy_document.{n}_assume.json\n"
            f"  permissions_boundary = var.permissions_boundary\n{session_line}{self.tags()}}}\n\n"
        )
        style = self.rnd.choice(["document", "jsonencode", "heredoc", "file", "attachment"])
        if style == "document":
            text += self.policy_document(n) + (
                f'\nresource "aws_iam_policy" "{n}" {{\n  name_prefix = "{n}-"\n'
                f"  policy      = data.aws_iam_policy_document.{n}.json\n}}\n\n"
                f'resource "aws_iam_role_policy_attachment" "{n}" {{\n'
                f"  count      = var.create_role ? 1 : 0\n"
                f"  role       = aws_iam_role.{n}[0].name\n"
                f"  policy_arn = aws_iam_policy.{n}.arn\n}}\n"
            )
        elif style == "jsonencode":
            actions = json.dumps(self.actions())
            text += (
                f'resource "aws_iam_role_policy" "{n}" {{\n  name = "{n}"\n'
                f"  role = aws_iam_role.{n}[0].id\n\n  policy = jsonencode({{\n"
                f'    Version = "2012-10-17"\n    Statement = [\n      {{\n'
                f'        Effect   = "Allow"\n        Action   = {actions}\n'
                f"        Resource = local.{n}_resources\n      }},\n    ]\n  }})\n}}\n\n"
                f'locals {{\n  {n}_resources = [for b in var.buckets : "arn:aws:s3:::${{b}}/*"]\n}}\n'
            )
        elif style == "heredoc":
            actions = json.dumps(self.actions())
            text += (
                f'resource "aws_iam_role_policy" "{n}" {{\n  name = "{n}"\n'
                f"  role = aws_iam_role.{n}[0].id\n\n  policy = <<-EOF\n    {{\n"
                f'      "Version": "2012-10-17",\n      "Statement": [\n        {{\n'
                f'          "Effect": "Allow",\n          "Action": {actions},\n'
                f'          "Resource": "arn:aws:sqs:${{var.region}}:*:${{var.queue}}"\n'
                f"        }}\n      ]\n    }}\n  EOF\n}}\n"
            )
        elif style == "file":
            text += (
                f'resource "aws_iam_policy" "{n}" {{\n  name   = "{n}"\n'
                f'  policy = file("${{path.module}}/policies/{n}.json")\n}}\n\n'
                f'resource "aws_iam_role_policy_attachment" "{n}" {{\n'
                f"  count      = var.create_role ? 1 : 0\n"
                f"  role       = aws_iam_role.{n}[0].name\n"
                f"  policy_arn = aws_iam_policy.{n}.arn\n}}\n"
            )
        else:
            text += (
                f'resource "aws_iam_role_policy_attachment" "{n}" {{\n'
                f"  for_each   = toset(var.policy_arns)\n"
                f"  role       = aws_iam_role.{n}[0].name\n  policy_arn = each.value\n}}\n"
            )
        return text

    def iam_users(self, n: str) -> str:
        text = (
            f'resource "aws_iam_user" "{n}" {{\n  for_each = toset(var.users)\n'
            f'  name     = each.value\n  path     = "/people/"\n'
            f"  force_destroy = true\n{self.tags()}}}\n\n"
            f'resource "aws_iam_group" "{n}" {{\n  name = "{n}"\n}}\n\n'
        )
        if self.rnd.random() < 0.7:
            text += (
                f'resource "aws_iam_group_membership" "{n}" {{\n  name  = "{n}"\n'
                f"  group = aws_iam_group.{n}.name\n"
                f"  users = [for u in aws_iam_user.{n} : u.name]\n}}\n\n"
            )
        if self.rnd.random() < 0.3:
            text += (
                f'resource "aws_iam_user_policy" "{n}" {{\n  for_each = aws_iam_user.{n}\n'
                f'  name     = "self-service"\n  user     = each.value.name\n'
                f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n'
                f'      Effect   = "Allow"\n      Action   = {json.dumps(self.actions())}\n'
                f'      Resource = "*"\n    }}]\n  }})\n}}\n\n'
            )
        if self.rnd.random() < 0.3:
            text += (
                f'resource "aws_iam_user_policy_attachment" "{n}" {{\n'
                f"  for_each   = aws_iam_user.{n}\n  user       = each.value.name\n"
                f'  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}}\n\n'
            )
        text += (
            f'resource "aws_iam_group_policy_attachment" "{n}" {{\n'
            f"  group      = aws_iam_group.{n}.name\n"
            f'  policy_arn = "arn:aws:iam::aws:policy/{self.rnd.choice(["PowerUserAccess", "ViewOnlyAccess", "AdministratorAccess"])}"\n}}\n'
        )
        return text

    IAM_VARIABLES = [
        "create_role", "name_prefix", "permissions_boundary", "max_session_duration",
        "resource_arns", "bucket", "region", "extra_statements", "buckets", "queue",
        "policy_arns", "users", "tags",
    ]  # fmt: skip

    def iam_module(self, directory: str) -> None:
        roles = [self.ident() + f"_{i}" for i in range(self.rnd.randint(1, 4))]
        main = "".join(self.iam_role(n) + "\n" for n in roles)
        files = {"main.tf": main}
        if self.rnd.random() < 0.5:
            files["users.tf"] = self.iam_users(self.ident())
        if self.rnd.random() < 0.3:
            files["sso.tf"] = (
                'resource "aws_ssoadmin_permission_set" "this" {\n'
                "  name             = var.name_prefix\n"
                "  instance_arn     = var.sso_instance_arn\n"
                f'  session_duration = "{self.rnd.choice(["PT1H", "PT4H", "PT12H"])}"\n}}\n\n'
                'resource "aws_ssoadmin_permission_set_inline_policy" "this" {\n'
                "  instance_arn       = var.sso_instance_arn\n"
                "  permission_set_arn = aws_ssoadmin_permission_set.this.arn\n"
                f"  inline_policy      = data.aws_iam_policy_document.{roles[0]}_assume.json\n}}\n"
            )
        names = [*self.IAM_VARIABLES, "sso_instance_arn"]
        files["variables.tf"] = self.tf_variables(names)
        files["outputs.tf"] = "".join(
            f'output "{n}_arn" {{\n  value = try(aws_iam_role.{n}[0].arn, "")\n}}\n\n'
            for n in roles
        )
        files["versions.tf"] = self.tf_versions()
        for name, text in files.items():
            self.write(f"{directory}/{name}", text)
        for n in roles:
            if f'policies/{n}.json")' in main:
                document = {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": self.actions(), "Resource": "*"}],
                }
                self.write(f"{directory}/policies/{n}.json", json.dumps(document, indent=2))

    # -- Terraform: callers ----------------------------------------------------------------

    def caller(self, directory: str, modules: list[str]) -> None:
        blocks = []
        for module in self.rnd.sample(modules, min(len(modules), self.rnd.randint(1, 3))):
            depth = directory.count("/") + 1
            source = "../" * depth + module
            blocks.append(
                f'module "{Path(module).name.replace("-", "_")}" {{\n  source = "{source}"\n\n'
                f'  name_prefix = "{self.rnd.choice(ENVS)}-"\n  create_role = true\n'
                f'  users       = ["{self.rnd.choice(NOUNS)}", "{self.rnd.choice(NOUNS)}"]\n'
                f"  tags        = local.tags\n}}\n"
            )
        if self.rnd.random() < 0.5:
            blocks.append(
                'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n'
                '  version = "~> 5.0"\n\n  name = local.name\n  cidr = "10.0.0.0/16"\n'
                '  azs  = ["eu-west-1a", "eu-west-1b"]\n}\n'
            )
        blocks.append(
            f'locals {{\n  name = "{self.name()}"\n  tags = {{\n    Environment = "{self.rnd.choice(ENVS)}"\n'
            '    Terraform   = "true"\n  }\n}\n'
        )
        self.write(f"{directory}/main.tf", "\n".join(blocks))
        self.write(f"{directory}/versions.tf", self.tf_versions())
        if self.rnd.random() < 0.3:
            self.write(
                f"{directory}/terraform.tfvars", f'region = "eu-west-{self.rnd.randint(1, 3)}"\n'
            )

    # -- CloudFormation ---------------------------------------------------------------------

    def cfn_noise(self, n: str) -> list[str]:
        kind = self.rnd.choice(["bucket", "table", "queue", "vpc", "function", "alarm"])
        if kind == "bucket":
            return [
                f"  {n}Bucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n"
                "    Properties:\n      BucketName: !Sub '${AWS::StackName}-" + n.lower() + "'\n"
                "      VersioningConfiguration:\n        Status: Enabled\n"
                "      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n"
                "          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: aws:kms\n"
                "      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n"
                "        BlockPublicPolicy: true\n        IgnorePublicAcls: true\n"
                "        RestrictPublicBuckets: true\n      Tags:\n        - Key: Stage\n"
                "          Value: !Ref Stage\n"
            ]
        if kind == "table":
            return [
                f"  {n}Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n"
                "        - AttributeName: pk\n          AttributeType: S\n"
                "        - AttributeName: sk\n          AttributeType: S\n      KeySchema:\n"
                "        - AttributeName: pk\n          KeyType: HASH\n"
                "        - AttributeName: sk\n          KeyType: RANGE\n"
                "      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: !If [IsProd, true, false]\n"
            ]
        if kind == "queue":
            return [
                f"  {n}Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                f"      VisibilityTimeout: {self.rnd.randint(30, 900)}\n      RedrivePolicy:\n"
                f"        deadLetterTargetArn: !GetAtt {n}DeadLetters.Arn\n        maxReceiveCount: 5\n",
                f"  {n}DeadLetters:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                "      MessageRetentionPeriod: 1209600\n",
            ]
        if kind == "vpc":
            return [
                f"  {n}Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref VpcCidr\n"
                "      EnableDnsHostnames: true\n      Tags:\n        - Key: Name\n"
                "          Value: !Join ['-', [!Ref 'AWS::StackName', vpc]]\n",
                f"  {n}SubnetA:\n    Type: AWS::EC2::Subnet\n    Properties:\n"
                f"      VpcId: !Ref {n}Vpc\n      CidrBlock: !Select [0, !Cidr [!Ref VpcCidr, 4, 8]]\n"
                "      AvailabilityZone: !Select [0, !GetAZs '']\n",
                f"  {n}SubnetB:\n    Type: AWS::EC2::Subnet\n    Properties:\n"
                f"      VpcId: !Ref {n}Vpc\n      CidrBlock: !Select [1, !Cidr [!Ref VpcCidr, 4, 8]]\n"
                "      AvailabilityZone: !Select [1, !GetAZs '']\n",
                f"  {n}SecurityGroup:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
                f"      GroupDescription: {n} access\n      VpcId: !Ref {n}Vpc\n"
                "      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 443\n"
                "          ToPort: 443\n          CidrIp: 10.0.0.0/8\n",
            ]
        if kind == "function":
            return [
                f"  {n}Function:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                "      Runtime: python3.12\n      Handler: index.handler\n"
                f"      Role: !Ref ExecutionRoleArn\n      MemorySize: {self.rnd.choice([128, 512, 1024])}\n"
                "      Environment:\n        Variables:\n          STAGE: !Ref Stage\n"
                "      Code:\n        ZipFile: |\n          import json\n"
                "          def handler(event, context):\n"
                "              return {'statusCode': 200, 'body': json.dumps(event)}\n"
            ]
        return [
            f"  {n}Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n"
            "      MetricName: Errors\n      Namespace: AWS/Lambda\n      Statistic: Sum\n"
            "      Period: 60\n      EvaluationPeriods: 1\n      Threshold: 1\n"
            "      ComparisonOperator: GreaterThanOrEqualToThreshold\n"
            "      AlarmActions:\n        - !Ref AlertTopic\n"
        ]

    def cfn_statements(self, indent: int) -> str:
        """A ``Statement:`` list, its items at ``indent`` spaces."""
        pad = " " * indent
        text = ""
        for _ in range(self.rnd.randint(1, 3)):
            actions = "".join(f"{pad}      - '{a}'\n" for a in self.actions())
            resource = self.rnd.choice(
                ["'*'", "!Sub 'arn:aws:s3:::${BucketName}/*'", "!GetAtt DataTable.Arn"]
            )
            text += f"{pad}- Effect: Allow\n{pad}  Action:\n{actions}{pad}  Resource: {resource}\n"
        return text

    def cfn_iam(self, n: str) -> list[str]:
        kind = self.rnd.choice(["role", "role", "managed", "user", "sam"])
        if kind == "role":
            session = self.rnd.choice(
                ["", "      MaxSessionDuration: 43200\n", "      MaxSessionDuration: 3600\n"]
            )
            return [
                f"  {n}Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
                "      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
                "          - Effect: Allow\n            Principal:\n"
                "              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n"
                f"{session}      ManagedPolicyArns:\n"
                "        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n"
                "      Policies:\n        - PolicyName: access\n          PolicyDocument:\n"
                "            Version: '2012-10-17'\n            Statement:\n"
                + self.cfn_statements(14)
            ]
        if kind == "managed":
            return [
                f"  {n}Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                f"      Roles:\n        - !Ref {n}ManagedRole\n      PolicyDocument:\n"
                "        Version: '2012-10-17'\n        Statement:\n" + self.cfn_statements(10),
                f"  {n}ManagedRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
                "      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n"
                "            Principal:\n              Service: ecs-tasks.amazonaws.com\n"
                "            Action: sts:AssumeRole\n",
            ]
        if kind == "user":
            groups = f"      Groups:\n        - !Ref {n}Group\n" if self.rnd.random() < 0.6 else ""
            return [
                f"  {n}User:\n    Type: AWS::IAM::User\n    Properties:\n"
                f"      UserName: !Sub '${{AWS::StackName}}-{n.lower()}'\n{groups}",
                f"  {n}Group:\n    Type: AWS::IAM::Group\n    Properties:\n"
                "      Policies:\n        - PolicyName: group\n          PolicyDocument:\n"
                "            Statement:\n" + self.cfn_statements(14),
            ]
        return [
            f"  {n}Function:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            "      Policies:\n        - DynamoDBCrudPolicy:\n            TableName: !Ref DataTable\n"
            "        - Statement:\n" + self.cfn_statements(12)
        ]

    def cfn_template(self, iam: bool, sam: bool) -> str:
        head = "AWSTemplateFormatVersion: '2010-09-09'\n"
        if sam:
            head += "Transform: AWS::Serverless-2016-10-31\n"
        head += (
            f"Description: {self.name()} stack\n\nParameters:\n  Stage:\n    Type: String\n"
            "    AllowedValues: [dev, staging, prod]\n    Default: dev\n"
            "  VpcCidr:\n    Type: String\n    Default: 10.0.0.0/16\n"
            "  BucketName:\n    Type: String\n  ExecutionRoleArn:\n    Type: String\n\n"
            "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n\nResources:\n"
        )
        resources: list[str] = [
            "  AlertTopic:\n    Type: AWS::SNS::Topic\n",
            "  DataTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n"
            "        - AttributeName: pk\n          AttributeType: S\n      KeySchema:\n"
            "        - AttributeName: pk\n          KeyType: HASH\n",
        ]
        for number in range(self.rnd.randint(3, 14)):  # logical ids unique in the template
            resources.extend(self.cfn_noise(self.ident().title().replace("_", "") + str(number)))
        if iam:
            for number in range(self.rnd.randint(1, 4)):
                resources.extend(self.cfn_iam(self.ident().title().replace("_", "") + f"I{number}"))
        self.rnd.shuffle(resources)
        outputs = "\nOutputs:\n  TopicArn:\n    Value: !Ref AlertTopic\n    Export:\n"
        outputs += "      Name: !Sub '${AWS::StackName}-topic'\n"
        return head + "".join(resources) + outputs

    def cfn_file(self, directory: str, index: int) -> None:
        iam = self.rnd.random() < 0.65
        sam = iam and self.rnd.random() < 0.3
        template = self.cfn_template(iam, sam)
        name = f"{directory}/{self.name()}-{index}"
        if self.rnd.random() < 0.15:
            from_yaml = _yaml_to_json(template)
            if from_yaml is not None:
                self.write(f"{name}.json", from_yaml)
                return
        self.write(f"{name}.{self.rnd.choice(['yaml', 'yaml', 'yml', 'template'])}", template)

    # -- not IaC ----------------------------------------------------------------------------

    def other_file(self, directory: str, index: int) -> None:
        kind = self.rnd.choice(["readme", "script", "package", "k8s", "workflow", "tfvars"])
        if kind == "readme":
            self.write(f"{directory}/README-{index}.md", f"# {self.name()}\n\nUsage notes.\n" * 20)
        elif kind == "script":
            self.write(
                f"{directory}/deploy_{index}.py",
                "import subprocess\n\n\ndef main():\n    subprocess.run(['terraform', 'apply'])\n"
                * 5,
            )
        elif kind == "package":
            self.write(
                f"{directory}/package-{index}.json",
                json.dumps({"name": self.name(), "version": "1.0.0", "dependencies": {}}, indent=2),
            )
        elif kind == "k8s":
            self.write(
                f"{directory}/deployment-{index}.yaml",
                f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {self.name()}\n"
                "spec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n"
                "        - name: app\n          image: nginx:1.27\n",
            )
        elif kind == "workflow":
            self.write(
                f"{directory}/ci-{index}.yml",
                "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
            )
        else:
            self.write(f"{directory}/env-{index}.tfvars", 'region = "eu-west-1"\nstage = "dev"\n')

    # -- the corpus --------------------------------------------------------------------------

    def generate(self, kind: str = "mixed") -> int:
        """``kind``: ``mixed``, or only ``terraform`` or only ``cloudformation`` (with
        the other files around them)."""
        iam_modules: list[str] = []
        index = 0
        while not self.full():
            index += 1
            roll = self.rnd.random()
            if kind == "terraform" and 0.22 <= roll < 0.80:
                roll = self.rnd.random() * 0.22
            elif kind == "cloudformation" and roll < 0.22:
                roll = 0.22 + self.rnd.random() * 0.58
            if roll < 0.12:
                self.noise_module(f"terraform/modules/{self.name()}-{index}")
            elif roll < 0.18:
                module = f"terraform/modules/iam-{self.name()}-{index}"
                self.iam_module(module)
                iam_modules.append(module)
            elif roll < 0.22 and iam_modules:
                self.caller(f"terraform/envs/{self.rnd.choice(ENVS)}-{index}", iam_modules)
            elif roll < 0.80:
                self.cfn_file(f"cloudformation/{self.rnd.choice(NOUNS)}", index)
            else:
                self.other_file(f"misc/{self.rnd.choice(NOUNS)}", index)
        return self.written


def _yaml_to_json(template: str) -> str | None:
    """The same template as JSON, when it uses no short-form intrinsics."""
    if "!" in template:
        return None
    try:
        import yaml
    except ImportError:
        return None
    return json.dumps(yaml.safe_load(template), indent=2)


def generate(out: Path, files: int, seed: int = 1, kind: str = "mixed") -> int:
    """Write the corpus into ``out`` (created); return the number of files written."""
    out.mkdir(parents=True, exist_ok=True)
    return Corpus(out, files, seed).generate(kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (created)")
    parser.add_argument("--files", type=int, default=1000, help="how many files (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--kind",
        choices=("mixed", "terraform", "cloudformation"),
        default="mixed",
        help="Terraform and CloudFormation (default), or only one of them",
    )
    args = parser.parse_args()
    written = generate(args.out, args.files, args.seed, args.kind)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {written} files, {size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
