from helpers import described, run

from iacguard.config import Config

TF = "fixtures/terraform/long-lived-credentials"
CFN = "fixtures/cloudformation/long-lived-credentials"
ONLY = Config(disabled=frozenset({"IG003"}))


def test_terraform_access_key_without_pgp_key_is_high_the_others_medium() -> None:
    path = f"{TF}/positive_user_credentials/main.tf"
    use_roles = "; use a role and temporary credentials instead"
    assert described(run(path, config=ONLY)) == [
        f"IG016 {path}:5:1 high aws_iam_access_key.deploy: An access key for user "
        "aws_iam_user.deploy is a long-lived credential: without pgp_key its secret access "
        f"key is stored in plain text in the Terraform state{use_roles}",
        f"IG016 {path}:9:1 medium aws_iam_access_key.deploy_encrypted: An access key for user "
        f"aws_iam_user.deploy is a long-lived credential{use_roles}",
        f"IG016 {path}:14:1 medium aws_iam_user_login_profile.deploy: A console password "
        f"(login profile) for user aws_iam_user.deploy is a long-lived credential{use_roles}",
        f"IG016 {path}:19:1 medium aws_iam_service_specific_credential.codecommit: A "
        f"service-specific credential for user aws_iam_user.deploy is a long-lived "
        f"credential{use_roles}",
    ]


def test_cloudformation_password_literal_or_echoed_parameter_is_high() -> None:
    path = f"{CFN}/positive_user_credentials.yaml"
    use_roles = "; use a role and temporary credentials instead"
    assert described(run(path, config=ONLY)) == [
        f"IG016 {path}:14:9 high DeployUser: A console password (login profile) for user "
        "DeployUser is a long-lived credential: its password comes from parameter "
        f"InitialPassword, which is not NoEcho{use_roles}",
        f"IG016 {path}:21:9 high OperatorUser: A console password (login profile) for user "
        f"OperatorUser is a long-lived credential: its password is written in the template{use_roles}",
        f"IG016 {path}:27:9 medium AuditorUser: A console password (login profile) for user "
        f"AuditorUser is a long-lived credential{use_roles}",
        f"IG016 {path}:28:3 medium DeployKey: An access key for user DeployUser is a "
        f"long-lived credential{use_roles}",
        f"IG016 {path}:32:3 medium CodeCommitCredential: A service-specific credential for "
        f"user DeployUser is a long-lived credential{use_roles}",
    ]


def test_roles_for_ci_create_no_credentials() -> None:
    assert described(run(f"{TF}/negative_role_for_ci")) == []
    assert described(run(f"{CFN}/negative_role_for_ci.json")) == []
