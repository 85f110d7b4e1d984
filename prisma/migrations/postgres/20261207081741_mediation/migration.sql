-- CreateTable
CREATE TABLE "MediationCase" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "mediatorId" INTEGER,
    "title" TEXT NOT NULL,
    "facts" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "dueOn" TEXT NOT NULL,
    "extensions" INTEGER NOT NULL DEFAULT 0,
    "agreement" TEXT,
    "agreedAt" TIMESTAMP(3),
    "settledAt" TIMESTAMP(3),
    "keptFirst" BOOLEAN,
    "keptSecond" BOOLEAN,
    "followUpsReminded" INTEGER NOT NULL DEFAULT 0,
    "referredAt" TIMESTAMP(3),
    "court" TEXT,
    "referralReason" TEXT,
    "courtOutcome" TEXT,
    "closedAt" TIMESTAMP(3),
    "openedById" INTEGER NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MediationCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationParty" (
    "id" SERIAL NOT NULL,
    "caseId" INTEGER NOT NULL,
    "personId" INTEGER,
    "householdId" INTEGER,
    "name" TEXT NOT NULL,
    "position" TEXT NOT NULL DEFAULT '',
    "answer" TEXT,
    "answeredAt" TIMESTAMP(3),
    "objection" TEXT,

    CONSTRAINT "MediationParty_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediationSession" (
    "id" SERIAL NOT NULL,
    "caseId" INTEGER NOT NULL,
    "heldOn" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "attendees" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "recordedById" INTEGER NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MediationSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MediationCase_ticketId_key" ON "MediationCase"("ticketId");

-- CreateIndex
CREATE INDEX "MediationCase_regionId_status_idx" ON "MediationCase"("regionId", "status");

-- CreateIndex
CREATE INDEX "MediationCase_mediatorId_idx" ON "MediationCase"("mediatorId");

-- CreateIndex
CREATE INDEX "MediationCase_status_settledAt_idx" ON "MediationCase"("status", "settledAt");

-- CreateIndex
CREATE INDEX "MediationParty_caseId_idx" ON "MediationParty"("caseId");

-- CreateIndex
CREATE INDEX "MediationParty_personId_idx" ON "MediationParty"("personId");

-- CreateIndex
CREATE INDEX "MediationSession_caseId_idx" ON "MediationSession"("caseId");
