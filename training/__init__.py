"""Gene-R1 training: reasoning data, rewards, SFT/GRPO with TRL + peft, evaluation."""
