"""Conversation storage: every message is written before anything else happens to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.base import utcnow
from bot.storage.models import (
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    Feedback,
    HandoffReason,
    HandoffRequest,
    HandoffStatus,
    KnowledgeQuery,
    Message,
)
from translations.language_id import LanguageChoice


class ConversationNotFound(LookupError):
    """No conversation with that key (never started, deleted, or expired)."""


@dataclass(frozen=True)
class ConversationView:
    id: int
    key: str
    channel: str
    language: str
    language_explicit: bool
    state: ConversationState

    @classmethod
    def of(cls, row: Conversation) -> ConversationView:
        return cls(row.id, row.key, row.channel, row.language, row.language_explicit, row.state)


@dataclass(frozen=True)
class Received:
    conversation: ConversationView
    message_id: int
    # The conversation's language before this message settled it; None for a first message.
    language_before: str | None = None


LanguageRule = Callable[[ConversationView | None], LanguageChoice]


def conversation_key(channel: str, sender: str) -> str:
    """The sender id Rasa sees: unique across channels."""
    return f"{channel}:{sender}"


class ConversationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], retention: timedelta) -> None:
        self._sessions = sessions
        self._retention = retention

    async def _conversation(self, session: AsyncSession, key: str) -> Conversation:
        row = await session.scalar(select(Conversation).where(Conversation.key == key))
        if row is None:
            raise ConversationNotFound(key)
        return row

    async def receive(
        self, channel: str, sender: str, text: str, choose_language: LanguageRule
    ) -> Received:
        """Store an incoming message (committed when this returns) and settle its language."""
        key = conversation_key(channel, sender)
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await session.scalar(select(Conversation).where(Conversation.key == key))
            language_before = row.language if row else None
            choice = choose_language(ConversationView.of(row) if row else None)
            if row is None:
                row = Conversation(key=key, channel=channel, created_at=now)
                session.add(row)
            row.language, row.language_explicit = choice.language, choice.explicit
            row.updated_at, row.expires_at = now, now + self._retention
            message = Message(
                conversation=row,
                direction=Direction.IN,
                text=text,
                language=choice.language,
                status=DeliveryStatus.RECEIVED,
                created_at=now,
            )
            session.add(message)
            await session.flush()
            return Received(ConversationView.of(row), message.id, language_before)

    async def record_replies(
        self, received: Received, replies: Sequence[dict], status: DeliveryStatus
    ) -> None:
        async with self._sessions.begin() as session:
            message = await session.get(Message, received.message_id)
            if message is not None:
                message.status = status
            for reply in replies:
                session.add(
                    Message(
                        conversation_id=received.conversation.id,
                        direction=Direction.OUT,
                        text=reply.get("text") or "",
                        language=received.conversation.language,
                        status=DeliveryStatus.SENT,
                        payload={
                            k: v for k, v in reply.items() if k not in ("text", "recipient_id")
                        }
                        or None,
                    )
                )

    async def get(self, key: str) -> ConversationView:
        async with self._sessions() as session:
            return ConversationView.of(await self._conversation(session, key))

    async def find(self, key: str) -> ConversationView | None:
        try:
            return await self.get(key)
        except ConversationNotFound:
            return None

    async def set_language(self, key: str, language: str) -> ConversationView:
        async with self._sessions.begin() as session:
            row = await self._conversation(session, key)
            row.language, row.language_explicit = language, True
            return ConversationView.of(row)

    async def request_handoff(self, key: str, reason: HandoffReason) -> tuple[int, bool]:
        """Open a handoff request unless one is already open; returns (id, newly created)."""
        async with self._sessions.begin() as session:
            row = await self._conversation(session, key)
            open_request = await session.scalar(
                select(HandoffRequest).where(
                    HandoffRequest.conversation_id == row.id,
                    HandoffRequest.status != HandoffStatus.CLOSED,
                )
            )
            if open_request is not None:
                return open_request.id, False
            question = await session.scalar(
                select(Message.text)
                .join(KnowledgeQuery, KnowledgeQuery.message_id == Message.id)
                .where(Message.conversation_id == row.id)
                .order_by(Message.id.desc())
                .limit(1)
            )
            request = HandoffRequest(
                conversation_id=row.id, language=row.language, reason=reason, question=question
            )
            session.add(request)
            row.state = ConversationState.WAITING_FOR_PERSON
            await session.flush()
            return request.id, True

    async def record_query(
        self,
        key: str,
        *,
        answered: bool,
        score: float,
        entry_id: str | None,
        page_id: int | None,
    ) -> None:
        """Remember what was asked (by reference to the stored message) and how it went."""
        async with self._sessions.begin() as session:
            row = await self._conversation(session, key)
            message_id = await session.scalar(
                select(Message.id)
                .where(Message.conversation_id == row.id, Message.direction == Direction.IN)
                .order_by(Message.id.desc())
                .limit(1)
            )
            session.add(
                KnowledgeQuery(
                    conversation_id=row.id,
                    message_id=message_id,
                    language=row.language,
                    answered=answered,
                    score=score,
                    entry_id=entry_id,
                    page_id=page_id,
                )
            )

    async def record_feedback(self, key: str, entry_id: str | None, helpful: bool) -> None:
        async with self._sessions.begin() as session:
            row = await self._conversation(session, key)
            session.add(Feedback(conversation_id=row.id, entry_id=entry_id, helpful=helpful))

    async def transcript(self, key: str) -> list[tuple[Direction, str]]:
        async with self._sessions() as session:
            row = await self._conversation(session, key)
            result = await session.execute(
                select(Message.direction, Message.text)
                .where(Message.conversation_id == row.id)
                .order_by(Message.id)
            )
            return [(direction, text) for direction, text in result.all()]

    async def delete(self, key: str) -> None:
        async with self._sessions.begin() as session:
            row = await self._conversation(session, key)
            await session.delete(row)

    async def purge_expired(self, now: datetime | None = None) -> list[str]:
        """Delete conversations past their retention period; returns their keys."""
        async with self._sessions.begin() as session:
            keys = list(
                await session.scalars(
                    select(Conversation.key).where(Conversation.expires_at < (now or utcnow()))
                )
            )
            if keys:
                await session.execute(delete(Conversation).where(Conversation.key.in_(keys)))
            return keys
