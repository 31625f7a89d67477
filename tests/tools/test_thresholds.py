"""The cuts the agent, training and evaluation share are one definition each (`tools.thresholds`)."""

from gene_r1.agent.config import AgentConfig
from gene_r1.agent.explained import DEFAULT_FDR_THRESHOLD
from gene_r1.agent.features import NEAR_NAME
from gene_r1.tools.enrichment_null import FDR_THRESHOLD
from gene_r1.tools.thresholds import NEAR_DUPLICATE_JACCARD, RIGHT_NAME_COSINE, SIGNIFICANT_FDR
from gene_r1.training.data import DataConfig
from gene_r1.training.judge_data import JudgeDataConfig
from gene_r1.training.judge_model_data import SUPPORT_FDR
from gene_r1.training.judge_train import RIGHT_NAME


def test_the_agent_and_training_call_the_same_hits_significant():
    assert AgentConfig().fdr_threshold == DEFAULT_FDR_THRESHOLD == FDR_THRESHOLD == SUPPORT_FDR == SIGNIFICANT_FDR


def test_training_and_evaluation_share_one_leakage_cut():
    assert JudgeDataConfig().leave_out_jaccard == DataConfig().max_benchmark_jaccard == NEAR_DUPLICATE_JACCARD


def test_a_right_name_and_a_theme_use_one_similarity_cut():
    assert RIGHT_NAME == NEAR_NAME == RIGHT_NAME_COSINE
