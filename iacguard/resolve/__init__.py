"""Static resolution of values: CloudFormation intrinsics, Terraform expressions."""
