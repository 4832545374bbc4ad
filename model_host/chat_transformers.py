"""GPU chat backend: a Hugging Face transformers model, optionally 4-bit/8-bit with bitsandbytes.

Made for the seed's `stabilityai/japanese-stablelm-instruct-alpha-7b-v2` (custom model code, the
NovelAI nerdstash tokenizer, an Alpaca-style Japanese prompt; see its model card) and any chat model
that ships a chat template. JSON output is not constrained while decoding here: the server checks it
against the schema afterwards and retries once (model_host.app.generate_checked).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model_host.embeddings import MODEL_LOAD_LOCK
from model_host.generation import Cancelled, Generation, GenerationParams, OnText
from model_host.prompting import stablelm_ja_alpha_prompt

log = logging.getLogger("model_host.chat")


@dataclass(frozen=True)
class KnownModel:
    tokenizer: str | None = None          # where the tokenizer lives, when not beside the weights
    tokenizer_kwargs: dict[str, Any] = field(default_factory=dict)
    prompt: Callable[[list[dict[str, Any]]], str] | None = None  # when the tokenizer has no chat template
    trust_remote_code: bool = False       # the model's own modelling code (reviewed, pinned by id)


KNOWN_MODELS = {
    # Model card: LlamaTokenizer.from_pretrained("novelai/nerdstash-tokenizer-v1",
    # additional_special_tokens=["▁▁"]); AutoModelForCausalLM(..., trust_remote_code=True); prompt
    # "<system>\n\n### 指示: \n<instruction>\n\n### 応答: \n"; needs sentencepiece and einops.
    "stabilityai/japanese-stablelm-instruct-alpha-7b-v2": KnownModel(
        tokenizer="novelai/nerdstash-tokenizer-v1",
        tokenizer_kwargs={"additional_special_tokens": ["▁▁"]},
        prompt=stablelm_ja_alpha_prompt,
        trust_remote_code=True,
    ),
}


def quantization_config(quantization: str):
    if quantization == "none":
        return None
    import torch
    from transformers import BitsAndBytesConfig

    if quantization == "4bit":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                  bnb_4bit_compute_dtype=torch.float16)
    return BitsAndBytesConfig(load_in_8bit=True)


class TransformersChat:
    constrained = False

    def __init__(self, source: str, *, model_id: str, context_tokens: int, threads: int, use_gpu: bool,
                 quantization: str, gguf_file: str | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if not use_gpu:
            torch.set_num_threads(threads)
        known = KNOWN_MODELS.get(model_id, KnownModel())
        self.model_id = model_id
        self.device = "cuda" if use_gpu else "cpu"
        load_kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": known.trust_remote_code}
        if gguf_file:  # transformers' GGUF loader (dequantizes; used to exercise this backend on CPU)
            load_kwargs["gguf_file"] = gguf_file
        self.tokenizer = AutoTokenizer.from_pretrained(known.tokenizer or source, **known.tokenizer_kwargs,
                                                       **load_kwargs)
        with MODEL_LOAD_LOCK:  # the embedding models load meanwhile, on other threads
            self.model = AutoModelForCausalLM.from_pretrained(
                source, dtype=torch.float16 if use_gpu else torch.float32,
                quantization_config=quantization_config(quantization),
                device_map="auto" if use_gpu else None, **load_kwargs,
            )
        self.model.eval()
        self._prompt = known.prompt
        if self._prompt is None and not getattr(self.tokenizer, "chat_template", None):
            raise ValueError(f"{model_id} has no chat template and no known prompt format: add one to "
                             "KNOWN_MODELS in model_host/chat_transformers.py")
        limit = getattr(self.model.config, "max_position_embeddings", None) or context_tokens
        self.context_tokens = min(context_tokens, int(limit))
        self._eos_ids = self._eos_token_ids()

    def _eos_token_ids(self) -> list[int]:
        ids = self.model.generation_config.eos_token_id
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        if self.tokenizer.eos_token_id is not None and self.tokenizer.eos_token_id not in ids:
            ids.append(self.tokenizer.eos_token_id)
        return ids

    def format_prompt(self, messages: list[dict[str, Any]]) -> str:
        if self._prompt is not None:
            return self._prompt(messages)
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count_tokens(self, prompt: str) -> int:
        return len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def generate(self, prompt: str, params: GenerationParams, cancel: threading.Event,
                 on_text: OnText | None = None) -> Generation:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        inputs = self.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").to(self.model.device)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        halt = threading.Event()  # set by a stop sequence or by the client going away

        class _Halt(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return halt.is_set() or cancel.is_set()

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        sampling = params.temperature > 0
        gen_kwargs: dict[str, Any] = dict(
            **inputs, max_new_tokens=params.max_tokens, do_sample=sampling, streamer=streamer,
            stopping_criteria=StoppingCriteriaList([_Halt()]), eos_token_id=self._eos_ids or None,
            pad_token_id=self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None
            else (self._eos_ids[0] if self._eos_ids else None),
        )
        if sampling:
            gen_kwargs.update(temperature=params.temperature, top_p=params.top_p)
        if params.frequency_penalty or params.presence_penalty:
            gen_kwargs["repetition_penalty"] = 1.0 + max(params.frequency_penalty, params.presence_penalty, 0.0) / 2
        if params.seed is not None:
            torch.manual_seed(params.seed)
        output: dict[str, Any] = {}

        def run() -> None:
            try:
                with torch.inference_mode():
                    output["ids"] = self.model.generate(**gen_kwargs)
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
                output["error"] = exc
                streamer.end()

        started = time.perf_counter()
        first: float | None = None
        text = ""
        worker = threading.Thread(target=run, name="hf-generate", daemon=True)
        worker.start()
        emitted = 0
        for piece in streamer:
            if first is None and piece:
                first = time.perf_counter() - started
            text += piece
            cut = _first_stop(text, params.stop)
            if cut is not None:
                text = text[:cut]
                halt.set()
            # Hold back a possible beginning of a stop sequence until it is decided.
            safe = len(text) if cut is not None else len(text) - _longest_stop_prefix(text, params.stop)
            if on_text is not None and safe > emitted:
                on_text(text[emitted:safe])
                emitted = safe
            if cut is not None:
                break
        if on_text is not None and len(text) > emitted:
            on_text(text[emitted:])
        worker.join()
        if "error" in output:
            raise output["error"]
        if cancel.is_set():
            raise Cancelled()
        new_tokens = int(output["ids"].shape[1]) - prompt_tokens if "ids" in output else 0
        finish = "length" if new_tokens >= params.max_tokens and not halt.is_set() else "stop"
        return Generation(text=text, prompt_tokens=prompt_tokens, completion_tokens=new_tokens,
                          finish_reason=finish, seconds=time.perf_counter() - started, first_token_s=first)


def _first_stop(text: str, stops: tuple[str, ...]) -> int | None:
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else None


def _longest_stop_prefix(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest suffix of `text` that begins some stop sequence."""
    best = 0
    for s in stops:
        for n in range(min(len(s) - 1, len(text)), 0, -1):
            if text.endswith(s[:n]):
                best = max(best, n)
                break
    return best
