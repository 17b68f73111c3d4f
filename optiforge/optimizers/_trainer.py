"""Trainer: minibatch loop with validation-based selection, early stopping, beam search, checkpoints."""

from __future__ import annotations

import asyncio
import inspect
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optiforge.errors import BudgetExceeded, InputError
from optiforge.graph import ExceptionNode, Node
from optiforge.graph._module import atomic_write_text
from optiforge.optimizers._base import Optimizer

Forward = Callable[[Any], Node | Awaitable[Node]]
Feedback = Callable[[Any, Any], tuple[float, str] | Awaitable[tuple[float, str]]]


@dataclass
class TrainResult:
    """What a training run ended with."""

    best_values: dict[str, Any]
    best_score: float | None
    steps: int
    stopped_early: bool
    history: list[dict[str, Any]] = field(default_factory=list)
    #: why the run ended: "done" (data or max_steps), "patience", or "budget"
    stop_reason: str = "done"


class Trainer:
    """Drive an :class:`Optimizer` over a dataset.

    ``forward(example)`` runs the workflow (sync or async) and returns its output
    Node; ``feedback(example, output_value)`` returns ``(score, text)`` with higher
    scores better (an :class:`ExceptionNode` output gets its error text as feedback
    automatically). Each step runs a minibatch concurrently (at most
    ``concurrency`` at a time; default: the LM's own concurrency limit),
    back-propagates the feedback, and updates. With a
    validation set the parameters are scored after every step; the best values are
    kept and restored at the end, and ``patience`` steps without improvement stop
    the run. ``beam_width`` = k > 1 runs beam search (for optimizers that support
    it): the beam holds up to k optimizer states; each step every member draws k
    proposals, each resulting state is scored on the validation set (or the
    minibatch), and the best k of members and children form the next beam; the
    parameters end each step at the beam's best. A spent
    LLM budget (:class:`BudgetExceeded`) ends the run cleanly with what was found. With ``checkpoint`` set, state is
    written atomically after every step and a new Trainer on the same file continues
    where a killed run stopped.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        forward: Forward,
        feedback: Feedback,
        train: Sequence[Any],
        *,
        val: Sequence[Any] | None = None,
        batch_size: int = 4,
        epochs: int = 1,
        max_steps: int | None = None,
        patience: int | None = None,
        beam_width: int = 1,
        checkpoint: str | Path | None = None,
        seed: int = 0,
        concurrency: int | None = None,
    ) -> None:
        if not train:
            raise InputError("the training set is empty")
        self.optimizer = optimizer
        self.forward = forward
        self.feedback = feedback
        self.train = list(train)
        self.val = list(val) if val else None
        self.batch_size = max(1, batch_size)
        self.epochs = epochs
        self.max_steps = max_steps
        self.patience = patience
        self.beam_width = max(1, beam_width)
        self.checkpoint = Path(checkpoint) if checkpoint else None
        # by default as many examples in flight as the optimizer's LM allows calls
        self.concurrency = max(1, concurrency or int(getattr(optimizer.lm, "concurrency", 8) or 8))
        self._sems: dict[int, asyncio.Semaphore] = {}
        self.state: dict[str, Any] = {
            "epoch": 0, "batch": 0, "order": None, "step": 0, "best_score": None,
            "best_values": optimizer.values(), "since_best": 0, "history": [],
            "rng": None, "seed": seed, "done": False, "stopped_early": False, "beam": None,
        }

    # ---- evaluation ---------------------------------------------------------------
    def _semaphore(self) -> asyncio.Semaphore:
        # one per event loop: run_sync / evaluate_sync each start a fresh loop
        loop = asyncio.get_running_loop()
        sem = self._sems.get(id(loop))
        if sem is None:
            self._sems = {id(loop): (sem := asyncio.Semaphore(self.concurrency))}
        return sem

    async def _run_one(self, example: Any) -> tuple[Node, float, str]:
        async with self._semaphore():
            out = self.forward(example)
            if inspect.isawaitable(out):
                out = await out
        if not isinstance(out, Node):
            raise InputError("forward(example) must return a graph Node (use @bundle / node())")
        value = out.value
        fb = self.feedback(example, value)
        if inspect.isawaitable(fb):
            fb = await fb
        score, text = fb  # type: ignore[misc]
        if isinstance(out, ExceptionNode) and out.error_text not in text:
            text = f"{out.error_text}\n{text}" if text else out.error_text
        return out, float(score), text

    async def evaluate(self, examples: Sequence[Any]) -> float:
        """Mean score of the current values over ``examples`` (no feedback is recorded)."""
        results = await asyncio.gather(*(self._run_one(x) for x in examples))
        return sum(s for _, s, _ in results) / len(results)

    def evaluate_sync(self, examples: Sequence[Any]) -> float:
        """:meth:`evaluate` for code outside an event loop."""
        return asyncio.run(self.evaluate(examples))

    # ---- checkpoint ---------------------------------------------------------------
    def save_checkpoint(self) -> None:
        """Write trainer and optimizer state atomically (temp file + os.replace)."""
        if self.checkpoint is None:
            return
        data = {"version": 1, "trainer": self.state, "optimizer": self.optimizer.state_dict()}
        atomic_write_text(self.checkpoint, json.dumps(data, ensure_ascii=False))

    def load_checkpoint(self) -> bool:
        """Restore from the checkpoint file if it exists; returns whether it did."""
        if self.checkpoint is None or not self.checkpoint.exists():
            return False
        try:
            data = json.loads(self.checkpoint.read_text())
            self.optimizer.load_state_dict(data["optimizer"])
            self.state = data["trainer"]
        except (OSError, json.JSONDecodeError, KeyError) as exc:
            raise InputError(f"cannot resume from checkpoint {self.checkpoint}: {exc}") from None
        return True

    # ---- the loop -----------------------------------------------------------------
    def _rng(self) -> random.Random:
        rng = random.Random(self.state["seed"])
        if self.state["rng"] is not None:
            v, internal, gauss = self.state["rng"]
            rng.setstate((v, tuple(internal), gauss))
        return rng

    def _next_batch(self) -> list[Any] | None:
        st = self.state
        while st["epoch"] < self.epochs:
            if st["order"] is None:
                rng = self._rng()
                order = list(range(len(self.train)))
                rng.shuffle(order)
                v, internal, gauss = rng.getstate()
                st["order"], st["rng"], st["batch"] = order, [v, list(internal), gauss], 0
            start = st["batch"] * self.batch_size
            if start < len(st["order"]):
                return [self.train[i] for i in st["order"][start : start + self.batch_size]]
            st["epoch"] += 1
            st["order"] = None
        return None

    async def run(self) -> TrainResult:
        """Train until epochs, ``max_steps`` or early stopping end it; resumes from the checkpoint."""
        self.load_checkpoint()
        st = self.state
        stop_reason = "done"
        if st["best_score"] is None and self.val and st["step"] == 0:
            st["best_score"] = await self.evaluate(self.val)
            st["best_values"] = self.optimizer.values()
        while not st["done"]:
            if self.max_steps is not None and st["step"] >= self.max_steps:
                break
            batch = self._next_batch()
            if batch is None:
                st["done"] = True
                break
            try:
                record = await self._train_step(batch)
            except BudgetExceeded:
                # finished steps are kept; the checkpoint lets a larger budget continue
                stop_reason = "budget"
                break
            st["batch"] += 1
            st["step"] += 1
            st["history"].append(record)
            if self.patience is not None and st["since_best"] >= self.patience:
                st["done"] = st["stopped_early"] = True
                stop_reason = "patience"
            self.save_checkpoint()
        if self.val and st["best_values"]:
            self.optimizer.set_values(st["best_values"])
        self.save_checkpoint()
        if st["stopped_early"]:
            stop_reason = "patience"
        return TrainResult(dict(st["best_values"]), st["best_score"], st["step"],
                           bool(st["stopped_early"]), list(st["history"]), stop_reason)

    def run_sync(self) -> TrainResult:
        """:meth:`run` for code outside an event loop."""
        return asyncio.run(self.run())

    async def _train_step(self, batch: list[Any]) -> dict[str, Any]:
        opt, st = self.optimizer, self.state
        if self.beam_width > 1 and opt.supports_beam:
            return await self._beam_step(batch)
        train_score = await self._feedback_on(batch)
        proposal = await opt.propose()
        applied = opt.apply(proposal)
        record: dict[str, Any] = {"step": st["step"], "train_score": train_score,
                                  "updated": sorted(applied), "rejected": len(proposal.rejected),
                                  "calls": proposal.calls, "prompt_tokens": proposal.prompt_tokens}
        if self.val:
            self._track_best(await self.evaluate(self.val), record)
        else:
            st["best_values"] = opt.values()
            st["best_score"] = train_score
        return record

    async def _feedback_on(self, batch: list[Any]) -> float:
        """Run the minibatch, back-propagate its feedback; returns its mean score."""
        results = await asyncio.gather(*(self._run_one(x) for x in batch))
        self.optimizer.zero_feedback()
        for out, score, text in results:
            out.backward(text, score=score)
        return sum(s for _, s, _ in results) / len(results)

    def _track_best(self, val_score: float, record: dict[str, Any]) -> None:
        st = self.state
        record["val_score"] = val_score
        if st["best_score"] is None or val_score > st["best_score"]:
            st["best_score"], st["best_values"], st["since_best"] = val_score, self.optimizer.values(), 0
        else:
            st["since_best"] += 1

    async def _beam_step(self, batch: list[Any]) -> dict[str, Any]:
        """Expand every beam member by ``beam_width`` proposals; keep the best ``beam_width`` states.

        A member is a full optimizer state (values and memory), so each branch keeps
        its own history; members stay eligible, so the beam's best never gets worse.
        """
        opt, st = self.optimizer, self.state
        judge = self.val or batch
        if not st.get("beam"):
            st["beam"] = [{"state": opt.state_dict(), "score": await self.evaluate(judge)}]
        candidates = list(st["beam"])
        record: dict[str, Any] = {"step": st["step"], "calls": 0, "prompt_tokens": 0, "rejected": 0}
        train_scores = []
        for member in st["beam"]:
            opt.load_state_dict(member["state"])
            train_scores.append(await self._feedback_on(batch))
            proposals = await asyncio.gather(*(opt.propose(sample=i) for i in range(self.beam_width)))
            for p in proposals:
                record["calls"] += p.calls
                record["prompt_tokens"] += p.prompt_tokens
                record["rejected"] += len(p.rejected)
                opt.load_state_dict(member["state"])
                if not opt.apply(p):
                    continue
                candidates.append({"state": opt.state_dict(), "score": await self.evaluate(judge)})
        candidates.sort(key=lambda c: c["score"], reverse=True)  # stable: earlier members win ties
        st["beam"] = candidates[: self.beam_width]
        best = st["beam"][0]
        opt.load_state_dict(best["state"])
        record["train_score"] = sum(train_scores) / len(train_scores)
        record["updated"] = sorted(k for k, v in opt.values().items()
                                   if v != st["best_values"].get(k))
        if self.val:
            self._track_best(best["score"], record)
        else:
            st["best_values"], st["best_score"] = opt.values(), best["score"]
        return record
