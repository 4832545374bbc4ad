"""Prompt-lookup decoding for the llama.cpp chat backend.

The next few tokens are drafted by finding the last generated n-gram earlier in the prompt and copying what
followed it there; one forward pass over the sampled token plus its drafts then checks them all, and every
draft token the model would have sampled anyway is kept. Output is the model's own (greedy decoding gives
the same tokens, up to the float rounding of a different batch shape).

Why it pays here: /ask answers restate their facts, so long runs of an answer are already in its prompt. On
a CPU a forward pass over 7 tokens costs little more than over one (the weights are read once either way),
so each accepted draft token is almost free. Measured on 2 cores with the packaged 0.5B model over the
/ask prompts of 80 labelled questions: generation time per prompt -13% (median ratio; median 2.18 to
1.79 s), the same tokens in 74 of 80 (the others differ where two tokens were all but tied).

llama-cpp-python takes a `draft_model` itself, but then computes logits for every token it evaluates, the
prompt included (for a 152k-token vocabulary about 40% more prefill work), and copies them into `scores`.
`eval` below asks for every position's logits only in a verification batch; the sampler reads them from
the llama.cpp context, so `scores` is never needed.
"""
from __future__ import annotations

from collections.abc import Sequence

from llama_cpp import Llama
from llama_cpp.llama_speculative import LlamaPromptLookupDecoding


class PromptLookupLlama(Llama):
    def __init__(self, *args, draft_tokens: int, ngram: int = 3, **kwargs) -> None:
        if draft_tokens < 1:
            raise ValueError("draft_tokens must be at least 1")
        super().__init__(*args, draft_model=LlamaPromptLookupDecoding(max_ngram_size=ngram,
                                                                      num_pred_tokens=draft_tokens), **kwargs)
        # Set because a draft model is given; `eval` decides per batch instead. Left True, a request for
        # logprobs would read `scores`, which this class does not fill.
        self._logits_all = False
        self._verify_tokens = draft_tokens + 1
        self.forward_passes = 0  # eval calls: tokens generated per pass show what the drafts save

    def eval(self, tokens: Sequence[int]) -> None:
        """`Llama.eval` (llama-cpp-python 0.3.36), with logits for every position only in a batch short
        enough to be a verification batch (the last sampled token and its drafts), and `scores` untouched."""
        every_position = len(tokens) <= self._verify_tokens
        self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
        for i in range(0, len(tokens), self.n_batch):
            batch = tokens[i: i + self.n_batch]
            self._batch.set_batch(batch=batch, n_past=self.n_tokens, logits_all=every_position)
            self._ctx.decode(self._batch)
            self.input_ids[self.n_tokens: self.n_tokens + len(batch)] = batch
            self.n_tokens += len(batch)
            self._requires_eval = False
        self.forward_passes += 1
