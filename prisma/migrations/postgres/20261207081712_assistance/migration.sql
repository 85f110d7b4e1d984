-- CreateTable
CREATE TABLE "HardshipRecord" (
    "householdId" INTEGER NOT NULL,
    "kinds" TEXT NOT NULL,
    "members" TEXT NOT NULL DEFAULT '',
    "notes" TEXT NOT NULL DEFAULT '',
    "updatedById" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HardshipRecord_pkey" PRIMARY KEY ("householdId")
);

-- CreateTable
CREATE TABLE "AssistanceCase" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "need" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3),
    "reportedById" INTEGER NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL,
    "helper" TEXT,
    "aid" TEXT,
    "amount" TEXT,
    "deliverBy" TEXT,
    "noticeFrom" TIMESTAMP(3),
    "noticeUntil" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "AssistanceCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssistanceEvent" (
    "id" SERIAL NOT NULL,
    "caseId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" INTEGER NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AssistanceEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AssistanceCase_regionId_state_idx" ON "AssistanceCase"("regionId", "state");

-- CreateIndex
CREATE INDEX "AssistanceCase_state_dueAt_idx" ON "AssistanceCase"("state", "dueAt");

-- CreateIndex
CREATE INDEX "AssistanceCase_householdId_idx" ON "AssistanceCase"("householdId");

-- CreateIndex
CREATE INDEX "AssistanceEvent_caseId_idx" ON "AssistanceEvent"("caseId");
