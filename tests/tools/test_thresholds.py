"""The cuts the agent, training and evaluation share are one definition each (`tools.thresholds`)."""

from agent.config import AgentConfig
from agent.explained import DEFAULT_FDR_THRESHOLD
from agent.features import NEAR_NAME
from tools.enrichment_null import FDR_THRESHOLD
from tools.thresholds import NEAR_DUPLICATE_JACCARD, RIGHT_NAME_COSINE, SIGNIFICANT_FDR
from training.data import DataConfig
from training.judge_data import JudgeDataConfig
from training.judge_model_data import SUPPORT_FDR
from training.judge_train import RIGHT_NAME


def test_the_agent_and_training_call_the_same_hits_significant():
    assert AgentConfig().fdr_threshold == DEFAULT_FDR_THRESHOLD == FDR_THRESHOLD == SUPPORT_FDR == SIGNIFICANT_FDR


def test_training_and_evaluation_share_one_leakage_cut():
    assert JudgeDataConfig().leave_out_jaccard == DataConfig().max_benchmark_jaccard == NEAR_DUPLICATE_JACCARD


def test_a_right_name_and_a_theme_use_one_similarity_cut():
    assert RIGHT_NAME == NEAR_NAME == RIGHT_NAME_COSINE
